/** One Durable Object per user: applies events and batch updates in order, evaluates rules, publishes the merged profile to KV. */

import { DurableObject } from "cloudflare:workers";
import { isSpecialCategory } from "../domain/context/content-taxonomy";
import type { UdnEvent } from "../domain/event-input";
import type { PartnerLink } from "../domain/identity/eids";
import { type Mergeable, mergePartnerLinks, mergeProfiles } from "../domain/identity/merge-profiles";
import { aliasKey } from "../domain/identity/partners";
import { errorText, logEvent } from "../domain/log";
import { liveSegments, nextLapse, sameSegments } from "../domain/merge";
import { encodeProfile, type Profile, profileKey, type SegmentRef } from "../domain/profile-record";
import { affectedBy } from "../domain/rules/affected";
import { countEvent, pruneCounters, qualifyingSegments } from "../domain/rules/evaluate";
import type { CompiledRules } from "../domain/rules/types";
import { SeenIds } from "../domain/seen-ids";
import { writeMetric } from "../platform/metrics";
import { loadRules } from "../platform/segment-store";
import { declaredIdObject, userProfile } from "../platform/stubs";
import { dropLegacyLayout, hasLegacyLayout, readLegacyLayout } from "./legacy-layout";
import { decodeState, emptyState, encodeState, type ProfileState } from "./profile-state";
import { publishDelay } from "./publish-backoff";
import { PROVISIONAL_RETENTION_S, retentionSeconds } from "./retention";
import { SCHEMA } from "./user-profile-schema";

export interface BatchUpdate {
  version: number;
  /** Segments of this user in that version; absent with `delete`. */
  segments?: string[];
  delete?: boolean;
  /** How long these batch segments last unless a newer version refreshes them. */
  ttlMs: number;
  /**
   * When the version was issued (its sync's start; default: now). The ttl runs from here, so a
   * retried or redelivered record ends with the same expiry as one applied at once.
   */
  at?: number;
  taxonomy?: number;
}

/** Which segments a settle may (re)qualify: all of them, or only these ids. */
type Scope = "all" | ReadonlySet<string>;

export interface ApplyResult {
  /** Events or batch records that changed state (duplicates and stale versions do not). */
  applied: number;
  profile: Profile;
  /** The user is erased: nothing was taken, and nothing of the call may be kept elsewhere (the event log). */
  erased: boolean;
}

/** A browser's profile as it joins a person's: what the merge takes, and the ids it remembers. */
export interface MergeSnapshot extends Mergeable {
  seen: [number, string[]][];
}

/**
 * What became of a browser's profile asked to join a person's: merged into it; nothing to merge; or not merged, being
 * a person's own or already merged into another person (a tab that still held the old cookie).
 */
export type MergeOutcome = "merged" | "empty" | "person" | "elsewhere" | "erased";

/** Browsers a person remembers as merged into it (for the cascade of an erasure); beyond it the oldest are forgotten. */
const MAX_LINKED = 256;

/** Partner ids synced again within this are not written again: a partner that syncs on every page costs nothing. */
const LINK_REFRESH_MS = 86_400_000;

export interface TrackOptions {
  /** The request minted the uid: keep the user only briefly unless a later call brings the id back. */
  provisional?: boolean;
}

/** Event ids are remembered at least this long, and as long as the longest window, for dedupe. */
const MIN_DEDUPE_MS = 86_400_000;
/** Bound on remembered event ids per user; beyond it the oldest are forgotten first. */
export const MAX_SEEN_IDS = 2_000;
/** A record written by a publish that failed: never equal to a real record, so the next publish retries. */
const UNKNOWN = "?";

export class UserProfile extends DurableObject<Env> {
  private loaded = false;
  private s: ProfileState = emptyState();
  private readonly seen = new SeenIds();
  /** The state row must be written by the next save. */
  private dirty = false;
  private pending = false;
  private publishing: Promise<unknown> | null = null;
  private alarmAt: number | null = null;
  /** The object's clock; tests replace it to move time forward. */
  now: () => number = Date.now;
  /** Runs before each batch record; tests replace it to fail calls the way an overloaded object does. */
  beforeBatch: () => void = () => {};

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /** Applies a user's events (duplicates by id are skipped) and returns the new profile. */
  async track(uid: string, events: UdnEvent[], options: TrackOptions = {}): Promise<ApplyResult> {
    // A misconfigured retention fails the call before anything is stored; the edge's retry queue keeps the events.
    this.retentionMs();
    const rules = await loadRules(this.env.PROFILES, this.now());
    // From here to the publish nothing awaits, so each call's changes apply atomically and in arrival order.
    this.load(uid);
    if (this.s.mergedInto && !this.s.erasedAt) {
      // Joined a person's profile: its events are the person's (a tab still holding the old cookie, a retried delivery).
      await this.finishMerge();
      return userProfile(this.env, this.s.mergedInto).track(this.s.mergedInto, events, { provisional: false });
    }
    const now = this.now();
    if (this.s.erasedAt) return { applied: 0, profile: this.view(), erased: true };
    this.markProvisional(options.provisional === true);
    this.touch(now);
    let applied = 0;
    for (const e of events) {
      if (this.seen.has(e.id)) continue;
      this.seen.add(e.id, now);
      countEvent(rules, this.s.counters, { ...e, ts: Math.min(e.ts, now) }, now);
      applied++;
    }
    this.forgetOldIds(rules, now);
    writeMetric(this.env, "profile", ["track"], [applied, events.length - applied]);
    // Rules are evaluated when new events arrive; a redelivery of known events only settles what fell due.
    const profile = await this.settle(rules, now, applied ? "all" : this.dueScope(rules, now, new Set()));
    return { applied, profile, erased: false };
  }

  /** Applies one batch record; an older or equal version changes nothing. */
  async applyBatch(uid: string, update: BatchUpdate): Promise<ApplyResult> {
    this.beforeBatch();
    this.retentionMs();
    const rules = await loadRules(this.env.PROFILES, this.now());
    this.load(uid);
    const now = this.now();
    // A merged browser's batch records are the person's now: the batch job counts its events as the person's.
    if (this.s.erasedAt || this.s.mergedInto || update.version <= this.s.batchVersion) {
      this.save();
      return { applied: 0, profile: this.view(), erased: this.s.erasedAt > 0 };
    }
    this.s.batchVersion = update.version;
    this.touch(now);
    // A Special Category Data category describes pages, never people: a batch naming one for a user drops it.
    const segments: SegmentRef[] = (update.delete ? [] : (update.segments ?? []))
      .filter((id) => !isSpecialCategory(update.taxonomy, id))
      .map((id) => (update.taxonomy === undefined ? { id } : { id, taxonomy: update.taxonomy }));
    const before = this.liveBatchIds(now);
    this.s.memberships.batch = { segments, expires: segments.length ? (update.at ?? now) + update.ttlMs : 0 };
    writeMetric(this.env, "profile", ["batch"], [1]);
    const after = this.liveBatchIds(now);
    const changed = new Set([...before, ...after].filter((id) => before.has(id) !== after.has(id)));
    // Only rules that read the changed memberships are evaluated: a batch never moves real-time ttls otherwise.
    return { applied: 1, profile: await this.settle(rules, now, this.dueScope(rules, now, changed)), erased: false };
  }

  /**
   * Remembers a partner's id for the user (a cookie sync) and points its KV alias here. The partner's previous id, and
   * the least recently synced partner beyond the bound, lose their aliases.
   */
  async linkPartner(uid: string, partner: string, puid: string): Promise<ApplyResult> {
    this.retentionMs();
    this.load(uid);
    if (this.s.erasedAt) return { applied: 0, profile: this.view(), erased: true };
    if (this.s.mergedInto) {
      await this.finishMerge();
      return userProfile(this.env, this.s.mergedInto).linkPartner(this.s.mergedInto, partner, puid);
    }
    const now = this.now();
    const mine = this.s.partners.find((l) => l.partner === partner);
    if (mine?.puid === puid && now - mine.at < LINK_REFRESH_MS) return { applied: 0, profile: this.view(), erased: false };
    const { links, dropped } = mergePartnerLinks(this.s.partners, [{ partner, puid, at: now }]);
    this.s.partners = links;
    this.touch(now);
    writeMetric(this.env, "profile", ["link"], [links.length]);
    await this.pointAliases(links.filter((l) => l.partner === partner));
    await this.dropAliases(dropped);
    const rules = await loadRules(this.env.PROFILES, now);
    return { applied: 1, profile: await this.settle(rules, now, this.dueScope(rules, now, new Set())), erased: false };
  }

  /** Makes this object a person's, the one of `declared` (a declared id's object name); `erased` when it was erased. */
  async adopt(uid: string, declared: string): Promise<ApplyResult> {
    this.retentionMs();
    this.load(uid);
    if (this.s.erasedAt) return { applied: 0, profile: this.view(), erased: true };
    if (this.s.person && this.s.declared.includes(declared)) return { applied: 0, profile: this.view(), erased: false };
    this.s.person = true;
    if (!this.s.declared.includes(declared)) this.s.declared.push(declared);
    this.markProvisional(false);
    this.touch(this.now());
    const rules = await loadRules(this.env.PROFILES, this.now());
    return { applied: 1, profile: await this.settle(rules, this.now(), this.dueScope(rules, this.now(), new Set())), erased: false };
  }

  /**
   * Joins this browser's profile to the person's: marks it merged (later calls go to the person), hands its state to
   * the person, then forgets it. A failure between leaves the mark and the state, and the next call retries.
   */
  async mergeInto(uid: string, person: string): Promise<{ outcome: MergeOutcome; profile?: Profile }> {
    this.retentionMs();
    this.load(uid);
    if (this.s.erasedAt) return { outcome: "erased" };
    if (this.s.person) return { outcome: "person" };
    // Its data went to another person already: this declaration moves the browser, not the data (nor its log line).
    if (this.s.mergedInto && this.s.mergedInto !== person) return { outcome: "elsewhere" };
    if (!this.s.mergedInto) {
      // Nothing was ever stored for this id (a new browser): nothing to merge, and nothing to keep.
      if (!this.s.lastActive && !this.s.partners.length) return { outcome: "empty" };
      this.s.mergedInto = person;
      this.s.absorbed = false;
      this.dirty = true;
      this.save();
    }
    return { outcome: "merged", profile: await this.finishMerge() };
  }

  /** Takes a browser's profile into this person's, once per browser. */
  async absorb(uid: string, from: string, snapshot: MergeSnapshot): Promise<ApplyResult> {
    this.retentionMs();
    const rules = await loadRules(this.env.PROFILES, this.now());
    this.load(uid);
    if (this.s.erasedAt) return { applied: 0, profile: this.view(), erased: true };
    if (this.s.linked.includes(from)) return { applied: 0, profile: this.view(), erased: false };
    const now = this.now();
    const before = this.s.partners;
    const merged = mergeProfiles(this.mergeable(), snapshot, now);
    const { counters, memberships, batchVersion, partners } = merged;
    Object.assign(this.s, { counters, memberships, batchVersion, partners });
    this.s.linked.push(from);
    // A declared id many browsers share stays bounded; a forgotten browser holds only its pointer here, and the
    // person's erasure line in the log covers its events (the batch job maps them to the person).
    if (this.s.linked.length > MAX_LINKED) this.s.linked.splice(0, this.s.linked.length - MAX_LINKED);
    this.seen.merge(snapshot.seen);
    this.forgetOldIds(rules, now);
    this.markProvisional(false);
    this.touch(Math.max(now, merged.lastActive));
    writeMetric(this.env, "profile", ["absorb"], [snapshot.seen.length]);
    await this.pointAliases(partners);
    // Ids the merge did not keep (an older id of the same partner, or past the bound) lose their aliases.
    const kept = (l: PartnerLink) => partners.some((k) => k.partner === l.partner && k.puid === l.puid);
    await this.dropAliases([...before, ...snapshot.partners].filter((l) => !kept(l)));
    return { applied: 1, profile: await this.settle(rules, now, "all"), erased: false };
  }

  /** The current merged profile, as it is or will shortly be in KV. */
  async current(): Promise<Profile & { batchVersion: number; published: string; eventsSeen: number; erased: boolean }> {
    this.load();
    return {
      ...this.view(),
      batchVersion: this.s.batchVersion,
      published: this.s.published,
      eventsSeen: this.seen.size,
      erased: this.s.erasedAt > 0,
    };
  }

  /** When the user's data expires without further activity (ms); 0 for an erased user or one never active. */
  async activeUntil(): Promise<number> {
    this.load();
    return this.s.erasedAt || !this.s.lastActive ? 0 : this.s.lastActive + this.retentionMs();
  }

  /**
   * Erases everything held for the user (storage, KV record, partner aliases) and keeps only a tombstone, so later
   * events and batches cannot bring them back; the tombstone itself goes after the retention period. A person's
   * erasure reaches its declared ids and every browser merged into it; a merged browser's reaches its person.
   * @param from the object that asked (a cascade), which is not asked back
   * @returns every uid erased, for the event log
   */
  async erase(uid: string, from = ""): Promise<string[]> {
    const retentionMs = this.retentionMs(true);
    writeMetric(this.env, "profile", ["erase"], []);
    this.load(uid);
    const now = this.now();
    if (!this.s.erasedAt) {
      // A publish still in flight must land before the delete, or it would bring the record back.
      await this.publishing?.catch(() => {});
      const { partners, declared, linked, mergedInto } = this.s;
      await this.wipe();
      // The tombstone keeps whom to reach until the cascade is done, so a retried erasure finishes it.
      Object.assign(this.s, { erasedAt: now, uid, partners, declared, linked, mergedInto });
      this.dirty = true;
      this.save();
      await this.env.PROFILES.delete(profileKey(uid));
      this.alarmAt = now + retentionMs;
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
    const erased = [uid];
    await this.dropAliases(this.s.partners);
    for (const name of this.s.declared) await declaredIdObject(this.env, name).erase();
    for (const other of [...this.s.linked, this.s.mergedInto]) {
      if (other && other !== from) erased.push(...(await userProfile(this.env, other).erase(other, uid)));
    }
    if (this.s.partners.length || this.s.declared.length || this.s.linked.length || this.s.mergedInto) {
      Object.assign(this.s, { partners: [], declared: [], linked: [], mergedInto: "" });
      this.dirty = true;
      this.save();
    }
    return [...new Set(erased)];
  }

  override async alarm(): Promise<void> {
    this.load();
    this.alarmAt = null;
    if (this.s.erasedAt) {
      // A tombstone lasts the full retention; a misconfigured one throws here, and the runtime retries the alarm.
      const retentionMs = this.retentionMs(true);
      if (this.now() >= this.s.erasedAt + retentionMs) {
        await this.wipe();
      } else {
        this.alarmAt = this.s.erasedAt + retentionMs;
        await this.ctx.storage.setAlarm(this.alarmAt);
      }
      return;
    }
    if (this.s.lastActive && this.now() >= this.s.lastActive + this.retentionMs()) {
      await this.expire();
      return;
    }
    const rules = await loadRules(this.env.PROFILES, this.now());
    const now = this.now();
    const batch = this.s.memberships.batch;
    const lapsing = batch.expires <= now ? this.liveBatchIds(batch.expires - 1) : new Set<string>();
    await this.settle(rules, now, this.dueScope(rules, now, lapsing));
  }

  private liveBatchIds(now: number): Set<string> {
    const batch = this.s.memberships.batch;
    return new Set(batch.expires > now ? batch.segments.map((s) => s.id) : []);
  }

  /**
   * Memberships whose ttl ran out (they requalify if their rule still holds) and rules reading any of
   * those or of `changed`. Evaluating only these makes the profile independent of when unrelated work
   * (a batch record, a retry, a publish alarm) happens to arrive.
   */
  private dueScope(rules: CompiledRules, now: number, changed: ReadonlySet<string>): Set<string> {
    const due = new Set<string>();
    for (const [id, m] of this.s.memberships.realtime) if (m.until <= now) due.add(id);
    for (const id of affectedBy(rules, new Set([...due, ...changed]))) due.add(id);
    return due;
  }

  /** Retention: nothing happened for the user for RETENTION_SECONDS, so everything held for them goes. */
  private async expire(): Promise<void> {
    writeMetric(this.env, "profile", ["expire"], []);
    await this.publishing?.catch(() => {});
    if (this.s.uid) await this.env.PROFILES.delete(profileKey(this.s.uid));
    await this.dropAliases(this.s.partners);
    await this.wipe();
  }

  /** The profile as published: segments, and the partner ids and kind that `user.eids` needs. */
  private view(): Profile {
    const { profile, partners, person } = this.s;
    if (!partners.length && !person) return profile;
    const view: Profile = { ...profile, partners: partners.map(({ partner, puid }) => ({ partner, puid })) };
    if (person) view.person = true;
    return view;
  }

  private mergeable(): Mergeable {
    const { counters, memberships, batchVersion, partners, lastActive } = this.s;
    return { counters, memberships, batchVersion, partners, lastActive };
  }

  /**
   * The person took this browser's profile (or takes it now): then only the mark stays, and the KV record goes.
   * @returns the person's profile after taking it; undefined when it was taken before
   */
  private async finishMerge(): Promise<Profile | undefined> {
    if (this.s.absorbed) return undefined;
    const person = this.s.mergedInto;
    const snapshot: MergeSnapshot = { ...this.mergeable(), seen: this.seen.entries() };
    const taken = await userProfile(this.env, person).absorb(person, this.s.uid, snapshot);
    await this.publishing?.catch(() => {});
    const { uid, lastActive, provisional } = this.s;
    await this.wipe();
    // The mark lasts as the data would have: a tab or a queue still holding the old id is sent on to the person.
    Object.assign(this.s, { uid, lastActive, provisional, mergedInto: person, absorbed: true });
    this.loaded = true;
    this.dirty = true;
    this.save();
    await this.env.PROFILES.delete(profileKey(uid));
    this.arm(this.now());
    return taken.profile;
  }

  /** Points these partner ids' KV aliases here, for as long as the user's data lasts. */
  private async pointAliases(links: readonly PartnerLink[]): Promise<void> {
    const ttl = this.retentionMs() / 1000;
    await Promise.all(links.map((l) => this.env.PROFILES.put(aliasKey(l.partner, l.puid), this.s.uid, { expirationTtl: ttl })));
  }

  /** Deletes these partner ids' aliases where they still point here (a later sync may have taken one to another user). */
  private async dropAliases(links: readonly PartnerLink[]): Promise<void> {
    await Promise.all(
      links.map(async (l) => {
        const key = aliasKey(l.partner, l.puid);
        if ((await this.env.PROFILES.get(key)) === this.s.uid) await this.env.PROFILES.delete(key);
      }),
    );
  }

  /** Deletes all storage and forgets the in-memory copy. */
  private async wipe(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.ctx.storage.sql.exec(SCHEMA);
    this.reset();
  }

  /** Forgets the in-memory copy of the state, so the next call reads storage afresh. */
  private reset(): void {
    this.loaded = false;
    this.s = emptyState();
    this.seen.clear();
    this.pending = false;
    this.dirty = false;
  }

  private touch(now: number): void {
    this.s.lastActive = now;
    this.dirty = true;
  }

  /**
   * How long the user's data outlives their last activity: RETENTION_SECONDS, or the provisional stay of an id that
   * has not come back (`full` for tombstones, which always last the whole retention). Throws on a bad setting.
   */
  private retentionMs(full = false): number {
    const s = retentionSeconds(this.env);
    return (this.s.provisional && !full ? Math.min(s, PROVISIONAL_RETENTION_S) : s) * 1000;
  }

  /** A cookie-less request's new id is provisional; a call with the id that came back (from a cookie) makes it permanent. */
  private markProvisional(provisional: boolean): void {
    if (provisional && !this.s.lastActive && !this.s.provisional) {
      this.s.provisional = true;
      this.dirty = true;
    } else if (!provisional && this.s.provisional) {
      this.s.provisional = false;
      // A KV record was written to expire with the provisional stay: the next publish writes it for the full one.
      if (this.s.published) this.s.published = UNKNOWN;
      this.dirty = true;
    }
  }

  /** Re-evaluates the rules, lapses what ran out, publishes if due, and arms the alarm for what comes next. */
  private async settle(rules: CompiledRules, now: number, scope: Scope): Promise<Profile> {
    this.evaluate(rules, now, scope);
    if (pruneCounters(rules, this.s.counters, now).length) this.dirty = true;
    const segments = liveSegments(this.s.memberships, now);
    if (!sameSegments(segments, this.s.profile.segments)) {
      this.s.profile = { ts: now, segments };
      this.dirty = true;
    }
    const profile = this.view();
    await this.publish(now);
    this.save();
    this.arm(now);
    return profile;
  }

  private evaluate(rules: CompiledRules, now: number, scope: Scope): void {
    const m = this.s.memberships;
    const live = new Set(liveSegments(m, now).map((s) => s.id));
    const inScope = scope === "all" ? undefined : (id: string) => scope.has(id);
    const qualified = qualifyingSegments(rules, this.s.counters, now, (id) => live.has(id), inScope);
    for (const seg of rules.segments) {
      if (!qualified.has(seg.id)) continue;
      const until = now + seg.ttlMs;
      m.realtime.set(seg.id, seg.taxonomy === undefined ? { until } : { until, taxonomy: seg.taxonomy });
      this.dirty = true;
    }
    for (const [id, r] of m.realtime) {
      if (r.until > now) continue;
      m.realtime.delete(id);
      this.dirty = true;
    }
    if (m.batch.segments.length && m.batch.expires <= now) {
      m.batch = { segments: [], expires: 0 };
      this.dirty = true;
    }
  }

  /**
   * Writes the profile to KV when it changed, at most once a second, and after failed writes at most
   * once per backoff step; later changes wait for the alarm.
   */
  private async publish(now: number): Promise<void> {
    const s = this.s;
    const view = this.view();
    const record = view.segments.length || view.partners || view.person ? encodeProfile(view) : "";
    if (record === s.published) {
      this.pending = false;
      return;
    }
    if (this.publishing || now - s.publishedAt < publishDelay(s.publishFailures)) {
      this.pending = true;
      return;
    }
    this.pending = false;
    s.published = record;
    s.publishedAt = now;
    this.dirty = true;
    // Stored with the call's other changes, before the write: one state row per call, not one more after it.
    this.save();
    try {
      const key = profileKey(s.uid);
      this.publishing = record
        ? this.env.PROFILES.put(key, record, { expirationTtl: this.retentionMs() / 1000 })
        : this.env.PROFILES.delete(key);
      await this.publishing;
      if (s.publishFailures) {
        s.publishFailures = 0;
        this.dirty = true;
      }
      writeMetric(this.env, "profile", [record ? "publish" : "unpublish"], [view.segments.length]);
    } catch (e) {
      s.published = UNKNOWN;
      this.pending = true;
      s.publishFailures++;
      this.dirty = true;
      logEvent("error", "profile publish failed", { error: errorText(e), failures: s.publishFailures });
    } finally {
      this.publishing = null;
      this.save();
    }
  }

  /**
   * Arms the alarm for the next lapse or deferred publish. It is only ever moved earlier: every event
   * pushes a membership's end later, and rewriting the alarm each time would cost a storage write per
   * event; an alarm that fires early just finds nothing due and arms again.
   */
  private arm(now: number): void {
    let at = nextLapse(this.s.memberships, now) ?? Infinity;
    if (this.pending) at = Math.min(at, Math.max(now, this.s.publishedAt + publishDelay(this.s.publishFailures)));
    // Retention: an object without activity for the retention period deletes itself.
    if (this.s.lastActive) at = Math.min(at, this.s.lastActive + this.retentionMs());
    if (at === Infinity || (this.alarmAt !== null && this.alarmAt <= at)) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  private forgetOldIds(rules: CompiledRules, now: number): void {
    let horizon = MIN_DEDUPE_MS;
    for (const leaf of rules.leaves.values()) horizon = Math.max(horizon, leaf.windowMs + leaf.bucketMs);
    this.seen.forget(now, horizon, MAX_SEEN_IDS);
  }

  /** Writes what changed: the state row once, and the day rows of remembered ids that changed (today's, as a rule). */
  private save(): void {
    const sql = this.ctx.storage.sql;
    if (this.dirty) {
      sql.exec("INSERT OR REPLACE INTO state (k, v) VALUES (1, ?)", encodeState(this.s));
      this.dirty = false;
    }
    for (const day of this.seen.dirty) {
      const ids = this.seen.row(day);
      if (ids) sql.exec("INSERT OR REPLACE INTO seen_days (day, ids) VALUES (?, ?)", day, JSON.stringify(ids));
      else sql.exec("DELETE FROM seen_days WHERE day = ?", day);
    }
    this.seen.dirty.clear();
  }

  /** Reads the object's state into memory once; SQLite calls are synchronous, so no await is needed. */
  private load(uid?: string): void {
    if (!this.loaded) {
      const sql = this.ctx.storage.sql;
      if (hasLegacyLayout(sql)) {
        // Stored before state and ids had rows of their own: moved over once, the old tables dropped.
        this.s = readLegacyLayout(sql, this.seen, this.now());
        dropLegacyLayout(sql);
        this.dirty = true;
        this.save();
      } else {
        const row = sql.exec<{ v: string }>("SELECT v FROM state WHERE k = 1").toArray()[0];
        this.s = row ? decodeState(row.v) : emptyState();
        for (const r of sql.exec<{ day: number; ids: string }>("SELECT day, ids FROM seen_days")) this.seen.load(r.day, JSON.parse(r.ids));
      }
      this.loaded = true;
    }
    if (uid && uid !== this.s.uid) {
      this.s.uid = uid;
      this.dirty = true;
    }
  }
}
