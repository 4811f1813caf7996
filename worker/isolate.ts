/**
 * Everything the edge keeps in memory between requests, in one place. An isolate serves many requests, one at a
 * time, and lives for minutes to hours; each piece here is bounded, and none is needed for correctness: an isolate
 * that starts empty answers the same, only slower. `resetIsolate()` empties it all (tests and the bench).
 */

import type { ConsentVerdict } from "../domain/consent/verdict";
import type { ContextSegment } from "../domain/context/compile";
import type { EventLogGroup } from "../domain/event-log-format";
import { FifoMemo } from "../domain/fifo-memo";
import type { HmacKey } from "../domain/hmac-sha256";
import type { Profile } from "../domain/profile-record";
import { ReadCache } from "../domain/read-cache";

/** The read-behind cache of published profiles, sized for a 128 MB isolate: at most 32 MiB. */
export const profileCache = new ReadCache<Profile>({
  maxEntries: 250_000,
  maxBytes: 32 * 1024 * 1024,
  softTtlMs: 15_000,
  hardTtlMs: 300_000,
  negativeTtlMs: 30_000,
  // V8 costs, roughly: Map slot and entry object (with its two recency links) ~136 B, strings 2 B/char, each segment object ~56 B.
  sizeOf: (key, p) => 136 + key.length * 2 + (p ? 64 + (p as Profile).segments.reduce((n, s) => n + 56 + s.id.length * 2, 0) : 0),
});

/**
 * Page segments by context (URL, metadata, location, device) and rules version, with the profile cache's bounds, for
 * at most five minutes: the page map may change under one rules version.
 */
export const contextCache = new ReadCache<ContextSegment[]>({
  ...profileCache.options,
  // A page map version reaches an isolate's answers within this (the rules' versions are in the key).
  softTtlMs: 300_000,
  hardTtlMs: 300_000,
  sizeOf: (key, v) => 136 + key.length * 2 + ((v as ContextSegment[] | null) ?? []).reduce((n, s) => n + 56 + s.id.length * 2, 0),
});

/** Partner ids' aliases (`a:<partner>:<puid>` → uid, null: none), with the profile cache's bounds and lifetimes. */
export const aliasCache = new ReadCache<string>({
  ...profileCache.options,
  sizeOf: (key, uid) => 136 + key.length * 2 + (uid ? 32 + (uid as string).length * 2 : 0),
});

/** The cache's clock; tests move it to age entries. */
export const clock = { now: (): number => Date.now() };

/** A cookie value whose signature was checked: its uid, and whether an older secret signed it. */
export interface VerifiedId {
  uid: string;
  stale: boolean;
}

/**
 * Verified cookie values: the value carries its signature, so a remembered answer is as good as a new check.
 * ~215 B an entry in V8 (the soak's measure), so 50,000 hold ~10 MiB. Past the bound the oldest goes (a hit does not
 * reorder, which keeps the check a plain get); its browser pays one signature check when it comes back.
 */
export const verifiedCookies = new FifoMemo<VerifiedId>(50_000);
/** The secrets the verified cookies were checked under: a rotation empties the memo. */
export const verifiedUnder: { secrets: readonly string[] | undefined } = { secrets: undefined };

/** Consent decisions of the last signal sets seen: a page's calls repeat the same strings, and decoding them costs. */
export const consentDecisions = new FifoMemo<ConsentVerdict>(512);

/**
 * Bearer tokens found valid, per key list (apiKeys() returns the same array while API_KEYS stays the same). A lookup
 * here reveals only whether the whole token is valid, which the answer says anyway.
 */
export const acceptedTokens = { byKeys: new WeakMap<readonly string[], Set<string>>() };

/** HMAC keys per secret: plain-JS keys for checking cookies synchronously, WebCrypto keys for signing new ones. */
export const uidKeys = { checking: new Map<string, HmacKey>(), signing: new Map<string, Promise<CryptoKey>>() };

/** Ready header sets of the hot path's answers, by route, format, outcome and allowed origin (a handful). */
export const answerHeaders = new Map<string, Headers>();

/**
 * Requests this isolate answered, for `/v1/admin/stats`. `startedAt` is set by the first: at load the clock reads 0.
 * `kvReads` and `locationHits`: what its cache misses and refreshes read, KV or the location's cache.
 */
export const counters = { startedAt: 0, requests: 0, lookups: 0, degraded: 0, kvReads: 0, locationHits: 0 };

/** The event-log batch this isolate is collecting (see events/event-log.ts), or null. */
export const eventLog: { open: { groups: EventLogGroup[]; bytes: number } | null } = { open: null };

export function resetIsolate(): void {
  profileCache.clear();
  contextCache.clear();
  aliasCache.clear();
  clock.now = () => Date.now();
  verifiedCookies.clear();
  verifiedUnder.secrets = undefined;
  consentDecisions.clear();
  acceptedTokens.byKeys = new WeakMap();
  uidKeys.checking.clear();
  uidKeys.signing.clear();
  answerHeaders.clear();
  Object.assign(counters, { startedAt: 0, requests: 0, lookups: 0, degraded: 0, kvReads: 0, locationHits: 0 });
  eventLog.open = null;
}
