/** Profile lookups: the isolate's read-behind cache, then the location's cache, then KV, with a deadline and a degraded fallback. */

import { decodeProfile, EMPTY_PROFILE, type Profile, profileKey } from "../../domain/profile-record";
import type { Outcome } from "../../domain/read-cache";
import { clock, counters, profileCache } from "../isolate";
import { kvDeadlineMs, locationCacheSeconds } from "../settings";
import { locationGet, locationPut } from "./location-cache";

/** KV's own edge cache lifetime for profile reads (its minimum is 30 s). */
export const KV_CACHE_TTL_S = 30;

/** All a lookup needs of the execution context: keeping background reads alive. */
export type WaitUntil = Pick<ExecutionContext, "waitUntil">;

export interface Lookup {
  profile: Profile;
  /** "new": the uid was minted by this request, so nothing can be stored under it and nothing was looked up. */
  outcome: Outcome | "new";
  /** Why the answer may be wrong: KV failed or missed the deadline, so a stale or empty profile was served. */
  degraded?: "kv-error" | "kv-timeout";
  /** Milliseconds spent waiting for the location's cache and KV, on a miss. */
  kvMs?: number;
}

function decode(text: string | null): Profile | null {
  return (text !== null && decodeProfile(text)) || null;
}

class Timeout extends Error {}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: number | null = null;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout()), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The location's entry when it has one (a failing cache counts as none), else KV's record, which then goes to the location. */
async function readThrough(env: Env, ctx: WaitUntil, ttl: number, at: string, uid: string): Promise<string | null> {
  const cached = await locationGet(ttl, at, uid).catch(() => undefined);
  if (cached !== undefined) {
    counters.locationHits++;
    return cached;
  }
  counters.kvReads++;
  const text = await env.PROFILES.get(profileKey(uid), { cacheTtl: KV_CACHE_TTL_S });
  ctx.waitUntil(locationPut(ttl, at, uid, text).catch(() => {}));
  return text;
}

/**
 * One shared read per key, kept alive past the response so that its answer still lands in the cache: after a
 * deadline, and when the request that started it goes away (a client that disconnects) while others wait on it.
 */
function load(env: Env, ctx: WaitUntil, at: string, uid: string): Promise<Profile | null> {
  // Read before any I/O, so a bad setting is a configuration error, not a degraded answer.
  const ttl = locationCacheSeconds(env);
  const p = profileCache.load(
    uid,
    async () => decode(await readThrough(env, ctx, ttl, at, uid)),
    () => clock.now(),
  );
  ctx.waitUntil(p.catch(() => {}));
  return p;
}

/**
 * A hit (fresh or stale) returns synchronously with no I/O; a stale one also refreshes in the background.
 * A miss waits for one shared read (the location's cache, else KV), at most the deadline; then it answers degraded.
 * @param at the request's URL: the location cache's keys live under its host
 */
export function lookupProfile(env: Env, ctx: WaitUntil, uid: string, at: string): Lookup | Promise<Lookup> {
  const { outcome, value } = profileCache.peek(uid, clock.now());
  if (outcome !== "miss") {
    if (outcome === "stale" && !profileCache.isLoading(uid)) void load(env, ctx, at, uid);
    return { profile: value ?? EMPTY_PROFILE, outcome };
  }
  const deadline = kvDeadlineMs(env);
  const started = clock.now();
  return within(load(env, ctx, at, uid), deadline).then(
    (p) => ({ profile: p ?? EMPTY_PROFILE, outcome, kvMs: clock.now() - started }),
    (e: unknown) => ({
      profile: profileCache.fallback(uid) ?? EMPTY_PROFILE,
      outcome,
      degraded: e instanceof Timeout ? "kv-timeout" : "kv-error",
      kvMs: clock.now() - started,
    }),
  );
}

/** readThrough for many: the location's entries, then one KV multi-key read for the uids it lacks. */
async function readManyThrough(
  env: Env,
  ctx: WaitUntil,
  ttl: number,
  at: string,
  uids: readonly string[],
): Promise<Map<string, string | null>> {
  const cached = await Promise.all(uids.map((uid) => locationGet(ttl, at, uid).catch(() => undefined)));
  const texts = new Map<string, string | null>();
  const rest: string[] = [];
  uids.forEach((uid, i) => {
    const c = cached[i];
    if (c === undefined) rest.push(uid);
    else texts.set(profileKey(uid), c);
  });
  counters.locationHits += uids.length - rest.length;
  if (rest.length === 0) return texts;
  // KV bills a bulk read per key.
  counters.kvReads += rest.length;
  const read = await env.PROFILES.get(rest.map(profileKey), { type: "text", cacheTtl: KV_CACHE_TTL_S });
  for (const uid of rest) {
    const text = read.get(profileKey(uid)) ?? null;
    texts.set(profileKey(uid), text);
    ctx.waitUntil(locationPut(ttl, at, uid, text).catch(() => {}));
  }
  return texts;
}

/** Many uids: the isolate's cache first, then the location's, then one KV multi-key read (≤ 100 keys) for the rest. */
export async function lookupProfiles(
  env: Env,
  ctx: WaitUntil,
  uids: readonly string[],
  at: string,
): Promise<{ profiles: Map<string, Profile>; degraded?: Lookup["degraded"] }> {
  const profiles = new Map<string, Profile>();
  const missing: string[] = [];
  const now = clock.now();
  for (const uid of uids) {
    const { outcome, value } = profileCache.peek(uid, now);
    if (outcome === "miss") missing.push(uid);
    else {
      if (outcome === "stale" && !profileCache.isLoading(uid)) void load(env, ctx, at, uid);
      profiles.set(uid, value ?? EMPTY_PROFILE);
    }
  }
  if (missing.length === 0) return { profiles };
  // Settings are read before any I/O, so a bad one is a configuration error, not a degraded answer.
  const deadline = kvDeadlineMs(env);
  const ttl = locationCacheSeconds(env);
  const started = clock.now();
  const read = readManyThrough(env, ctx, ttl, at, missing).then((texts) => {
    for (const uid of missing) profileCache.offer(uid, decode(texts.get(profileKey(uid)) ?? null), started, clock.now());
    return texts;
  });
  ctx.waitUntil(read.catch(() => {}));
  try {
    const texts = await within(read, deadline);
    for (const uid of missing) profiles.set(uid, decode(texts.get(profileKey(uid)) ?? null) ?? EMPTY_PROFILE);
    return { profiles };
  } catch (e) {
    for (const uid of missing) profiles.set(uid, profileCache.fallback(uid) ?? EMPTY_PROFILE);
    return { profiles, degraded: e instanceof Timeout ? "kv-timeout" : "kv-error" };
  }
}
