/** One Durable Object per user: applies events and batch updates in order, evaluates rules, publishes the merged profile to KV. */
import { DurableObject } from "cloudflare:workers";
import type { UdnEvent } from "../domain/event-input";
import { errorText, logEvent } from "../domain/log";
import { liveSegments, type MembershipState, nextLapse, sameSegments } from "../domain/merge";
import { encodeProfile, type Profile, profileKey, type SegmentRef } from "../domain/profile-record";
import { affectedBy } from "../domain/rules/affected";
import { type Counters, countEvent, pruneCounters, qualifyingSegments } from "../domain/rules/evaluate";
import type { CompiledRules } from "../domain/rules/types";
import { writeMetric } from "../platform/metrics";
import { loadRules } from "../platform/segment-store";
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
  private uid = "";
  private counters: Counters = new Map();
  private state: MembershipState = { realtime: new Map(), batch: { segments: [], expires: 0 } };
  private batchVersion = 0;
  private profile: Profile = { ts: 0, segments: [] };
  /** The record KV holds for this user ("" = none). */
  private published = "";
  private publishedAt = 0;
  /** KV writes that failed in a row: the next waits longer (publish-backoff.ts). */
  private publishFailures = 0;
  private pending = false;
  private publishing: Promise<unknown> | null = null;
  private alarmAt: number | null = null;
  private seenCount = 0;
  /** When the user was erased (0 = never): until the retention window passes, nothing brings them back. */
  private erasedAt = 0;
  /** The last event or applied batch record (0 = none yet): RETENTION_SECONDS later the object deletes everything. */
  private lastActive = 0;
  /** Created by a cookie-less request whose id has not come back yet: retention is PROVISIONAL_RETENTION_S. */
  private provisional = false;
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
    const now = this.now();
    if (this.erasedAt) return { applied: 0, profile: this.profile, erased: true };
    this.markProvisional(options.provisional === true);
    this.touch(now);
    const sql = this.ctx.storage.sql;
    let applied = 0;
    for (const e of events) {
      if (sql.exec("SELECT 1 FROM seen WHERE id = ?", e.id).toArray().length) continue;
      const ts = Math.min(e.ts, now);
      sql.exec("INSERT INTO seen (id, ts) VALUES (?, ?)", e.id, ts);
      this.seenCount++;
      for (const w of countEvent(rules, this.counters, { ...e, ts }, now)) {
        sql.exec("INSERT OR REPLACE INTO counters (k, b, n) VALUES (?, ?, ?)", w.key, w.bucket, w.n);
      }
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
    if (this.erasedAt || update.version <= this.batchVersion) return { applied: 0, profile: this.profile, erased: this.erasedAt > 0 };
    this.batchVersion = update.version;
    this.touch(now);
    const segments: SegmentRef[] = (update.delete ? [] : (update.segments ?? [])).map((id) =>
      update.taxonomy === undefined ? { id } : { id, taxonomy: update.taxonomy },
    );
    const before = this.liveBatchIds(now);
    this.state.batch = { segments, expires: segments.length ? (update.at ?? now) + update.ttlMs : 0 };
    this.setMeta("batch", JSON.stringify({ version: this.batchVersion, ...this.state.batch }));
    writeMetric(this.env, "profile", ["batch"], [1]);
    const after = this.liveBatchIds(now);
    const changed = new Set([...before, ...after].filter((id) => before.has(id) !== after.has(id)));
    // Only rules that read the changed memberships are evaluated: a batch never moves real-time ttls otherwise.
    return { applied: 1, profile: await this.settle(rules, now, this.dueScope(rules, now, changed)), erased: false };
  }

  /** The current merged profile, as it is or will shortly be in KV. */
  async current(): Promise<Profile & { batchVersion: number; published: string; eventsSeen: number; erased: boolean }> {
    this.load();
    return {
      ...this.profile,
      batchVersion: this.batchVersion,
      published: this.published,
      eventsSeen: this.seenCount,
      erased: this.erasedAt > 0,
    };
  }

  /**
   * Erases everything held for the user (storage, KV record) and keeps only a tombstone, so later
   * events and batches cannot bring them back; the tombstone itself goes after the retention period.
   */
  async erase(uid: string): Promise<void> {
    const retentionMs = this.retentionMs(true);
    writeMetric(this.env, "profile", ["erase"], []);
    this.load(uid);
    const now = this.now();
    // A publish still in flight must land before the delete, or it would bring the record back.
    await this.publishing?.catch(() => {});
    await this.ctx.storage.deleteAll();
    this.ctx.storage.sql.exec(SCHEMA);
    this.reset();
    this.erasedAt = now;
    this.setMeta("erased", String(now));
    this.setMeta("uid", uid);
    this.uid = uid;
    await this.env.PROFILES.delete(profileKey(uid));
    this.alarmAt = now + retentionMs;
    await this.ctx.storage.setAlarm(this.alarmAt);
  }

  override async alarm(): Promise<void> {
    this.load();
    this.alarmAt = null;
    if (this.erasedAt) {
      // A tombstone lasts the full retention; a misconfigured one throws here, and the runtime retries the alarm.
      const retentionMs = this.retentionMs(true);
      if (this.now() >= this.erasedAt + retentionMs) {
        await this.ctx.storage.deleteAll();
        this.ctx.storage.sql.exec(SCHEMA);
        this.reset();
      } else {
        this.alarmAt = this.erasedAt + retentionMs;
        await this.ctx.storage.setAlarm(this.alarmAt);
      }
      return;
    }
    if (this.lastActive && this.now() >= this.lastActive + this.retentionMs()) {
      await this.expire();
      return;
    }
    const rules = await loadRules(this.env.PROFILES, this.now());
    const now = this.now();
    const lapsing = this.state.batch.expires <= now ? this.liveBatchIds(this.state.batch.expires - 1) : new Set<string>();
    await this.settle(rules, now, this.dueScope(rules, now, lapsing));
  }

  private liveBatchIds(now: number): Set<string> {
    return new Set(this.state.batch.expires > now ? this.state.batch.segments.map((s) => s.id) : []);
  }

  /**
   * Memberships whose ttl ran out (they requalify if their rule still holds) and rules reading any of
   * those or of `changed`. Evaluating only these makes the profile independent of when unrelated work
   * (a batch record, a retry, a publish alarm) happens to arrive.
   */
  private dueScope(rules: CompiledRules, now: number, changed: ReadonlySet<string>): Set<string> {
    const due = new Set<string>();
    for (const [id, m] of this.state.realtime) if (m.until <= now) due.add(id);
    for (const id of affectedBy(rules, new Set([...due, ...changed]))) due.add(id);
    return due;
  }

  /** Retention: nothing happened for the user for RETENTION_SECONDS, so everything held for them goes. */
  private async expire(): Promise<void> {
    writeMetric(this.env, "profile", ["expire"], []);
    await this.publishing?.catch(() => {});
    if (this.uid) await this.env.PROFILES.delete(profileKey(this.uid));
    await this.ctx.storage.deleteAll();
    this.ctx.storage.sql.exec(SCHEMA);
    this.reset();
  }

  private touch(now: number): void {
    this.lastActive = now;
    this.setMeta("active", String(now));
  }

  /**
   * How long the user's data outlives their last activity: RETENTION_SECONDS, or the provisional stay of an id that
   * has not come back (`full` for tombstones, which always last the whole retention). Throws on a bad setting.
   */
  private retentionMs(full = false): number {
    const s = retentionSeconds(this.env);
    return (this.provisional && !full ? Math.min(s, PROVISIONAL_RETENTION_S) : s) * 1000;
  }

  /** A cookie-less request's new id is provisional; a call with the id that came back (from a cookie) makes it permanent. */
  private markProvisional(provisional: boolean): void {
    if (provisional && !this.lastActive && !this.provisional) {
      this.provisional = true;
      this.setMeta("provisional", "1");
    } else if (!provisional && this.provisional) {
      this.provisional = false;
      this.ctx.storage.sql.exec("DELETE FROM meta WHERE k = 'provisional'");
      // A KV record was written to expire with the provisional stay: the next publish writes it for the full one.
      if (this.published) this.published = UNKNOWN;
    }
  }

  /** Forgets the in-memory copy of the state, so the next call reads storage afresh. */
  private reset(): void {
    this.loaded = false;
    this.uid = "";
    this.counters = new Map();
    this.state = { realtime: new Map(), batch: { segments: [], expires: 0 } };
    this.batchVersion = 0;
    this.profile = { ts: 0, segments: [] };
    this.published = "";
    this.publishedAt = 0;
    this.publishFailures = 0;
    this.pending = false;
    this.erasedAt = 0;
    this.lastActive = 0;
    this.provisional = false;
    this.seenCount = 0;
  }

  /** Re-evaluates the rules, lapses what ran out, publishes if due, and arms the alarm for what comes next. */
  private async settle(rules: CompiledRules, now: number, scope: Scope): Promise<Profile> {
    this.evaluate(rules, now, scope);
    const sql = this.ctx.storage.sql;
    for (const d of pruneCounters(rules, this.counters, now)) {
      if (d.before === undefined) sql.exec("DELETE FROM counters WHERE k = ?", d.key);
      else sql.exec("DELETE FROM counters WHERE k = ? AND b < ?", d.key, d.before);
    }
    const segments = liveSegments(this.state, now);
    if (!sameSegments(segments, this.profile.segments)) {
      this.profile = { ts: now, segments };
      this.setMeta("profile", JSON.stringify(this.profile));
    }
    const profile = this.profile;
    await this.publish(now);
    this.arm(now);
    return profile;
  }

  private evaluate(rules: CompiledRules, now: number, scope: Scope): void {
    const sql = this.ctx.storage.sql;
    const live = new Set(liveSegments(this.state, now).map((s) => s.id));
    const inScope = scope === "all" ? undefined : (id: string) => scope.has(id);
    const qualified = qualifyingSegments(rules, this.counters, now, (id) => live.has(id), inScope);
    for (const seg of rules.segments) {
      if (!qualified.has(seg.id)) continue;
      const until = now + seg.ttlMs;
      this.state.realtime.set(seg.id, seg.taxonomy === undefined ? { until } : { until, taxonomy: seg.taxonomy });
      sql.exec("INSERT OR REPLACE INTO realtime (segment, until, taxonomy) VALUES (?, ?, ?)", seg.id, until, seg.taxonomy ?? null);
    }
    for (const [id, m] of this.state.realtime) {
      if (m.until > now) continue;
      this.state.realtime.delete(id);
      sql.exec("DELETE FROM realtime WHERE segment = ?", id);
    }
    if (this.state.batch.segments.length && this.state.batch.expires <= now) {
      this.state.batch = { segments: [], expires: 0 };
      this.setMeta("batch", JSON.stringify({ version: this.batchVersion, ...this.state.batch }));
    }
  }

  /**
   * Writes the profile to KV when it changed, at most once a second, and after failed writes at most
   * once per backoff step; later changes wait for the alarm.
   */
  private async publish(now: number): Promise<void> {
    const record = this.profile.segments.length ? encodeProfile(this.profile) : "";
    if (record === this.published) {
      this.pending = false;
      return;
    }
    if (this.publishing || now - this.publishedAt < publishDelay(this.publishFailures)) {
      this.pending = true;
      return;
    }
    this.pending = false;
    this.published = record;
    this.publishedAt = now;
    try {
      const key = profileKey(this.uid);
      this.publishing = record
        ? this.env.PROFILES.put(key, record, { expirationTtl: this.retentionMs() / 1000 })
        : this.env.PROFILES.delete(key);
      await this.publishing;
      this.publishFailures = 0;
      writeMetric(this.env, "profile", [record ? "publish" : "unpublish"], [this.profile.segments.length]);
    } catch (e) {
      this.published = UNKNOWN;
      this.pending = true;
      this.publishFailures++;
      logEvent("error", "profile publish failed", { error: errorText(e), failures: this.publishFailures });
    } finally {
      this.publishing = null;
      this.setMeta("published", JSON.stringify([this.published, this.publishedAt, this.publishFailures]));
    }
  }

  /**
   * Arms the alarm for the next lapse or deferred publish. It is only ever moved earlier: every event
   * pushes a membership's end later, and rewriting the alarm each time would cost a storage write per
   * event; an alarm that fires early just finds nothing due and arms again.
   */
  private arm(now: number): void {
    let at = nextLapse(this.state, now) ?? Infinity;
    if (this.pending) at = Math.min(at, Math.max(now, this.publishedAt + publishDelay(this.publishFailures)));
    // Retention: an object without activity for the retention period deletes itself.
    if (this.lastActive) at = Math.min(at, this.lastActive + this.retentionMs());
    if (at === Infinity || (this.alarmAt !== null && this.alarmAt <= at)) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  private forgetOldIds(rules: CompiledRules, now: number): void {
    let horizon = MIN_DEDUPE_MS;
    for (const leaf of rules.leaves.values()) horizon = Math.max(horizon, leaf.windowMs + leaf.bucketMs);
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM seen WHERE ts < ?", now - horizon);
    if (this.seenCount > MAX_SEEN_IDS) {
      sql.exec("DELETE FROM seen WHERE id IN (SELECT id FROM seen ORDER BY ts ASC LIMIT ?)", this.seenCount - MAX_SEEN_IDS);
    }
    this.seenCount = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM seen").one().n;
  }

  private setMeta(k: string, v: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", k, v);
  }

  /** Reads the object's state into memory once; SQLite calls are synchronous, so no await is needed. */
  private load(uid?: string): void {
    if (!this.loaded) {
      const sql = this.ctx.storage.sql;
      const meta = new Map(
        sql
          .exec<{ k: string; v: string }>("SELECT k, v FROM meta")
          .toArray()
          .map((r) => [r.k, r.v]),
      );
      this.uid = meta.get("uid") ?? "";
      this.erasedAt = Number(meta.get("erased") ?? 0);
      this.lastActive = Number(meta.get("active") ?? 0);
      this.provisional = meta.has("provisional");
      if (meta.has("batch")) {
        const b = JSON.parse(meta.get("batch")!) as { version: number; segments: SegmentRef[]; expires: number };
        this.batchVersion = b.version;
        this.state.batch = { segments: b.segments, expires: b.expires };
      }
      if (meta.has("profile")) this.profile = JSON.parse(meta.get("profile")!) as Profile;
      // Records written before the failure count was kept have two elements.
      if (meta.has("published")) {
        [this.published, this.publishedAt, this.publishFailures = 0] = JSON.parse(meta.get("published")!) as [string, number, number?];
      }
      for (const r of sql.exec<{ segment: string; until: number; taxonomy: number | null }>("SELECT * FROM realtime")) {
        this.state.realtime.set(r.segment, r.taxonomy === null ? { until: r.until } : { until: r.until, taxonomy: r.taxonomy });
      }
      for (const r of sql.exec<{ k: string; b: number; n: number }>("SELECT k, b, n FROM counters")) {
        let cells = this.counters.get(r.k);
        if (!cells) this.counters.set(r.k, (cells = new Map()));
        cells.set(r.b, r.n);
      }
      this.seenCount = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM seen").one().n;
      this.loaded = true;
    }
    if (uid && uid !== this.uid) {
      this.uid = uid;
      this.setMeta("uid", uid);
    }
  }
}
