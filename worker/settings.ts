/**
 * Every var and secret the edge reads, parsed and checked in one place: a malformed or absurd value is a ConfigError
 * (a 500 naming the var, logged), never a guess. Parsed values are memoised on their raw text, so the hot path parses nothing.
 */
import type { ConsentPolicy } from "../domain/consent/verdict";
import { ConfigError, flagSetting, numberSetting } from "../domain/setting";
import { LOCATION_CACHE_DEFAULT_S } from "./lookup/location-cache";

function memo<T>(parse: (raw: string) => T): (raw: string) => T {
  let last: { raw: string; value: T } | undefined;
  return (raw) => {
    if (last?.raw !== raw) last = { raw, value: parse(raw) };
    return last.value;
  };
}

const list = (raw: string) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export const allowedOrigins = memo((raw) => new Set(list(raw)));
export const apiKeys = memo(list);

/** The bidders' keys (API_KEYS), the same array while the var stays the same. */
export function s2sKeys(env: Env): readonly string[] {
  return apiKeys(env.API_KEYS);
}

/** Keys allowed to erase users by uid (ERASE_KEYS); the bidders' keys where it is unset. */
export function eraseKeys(env: Env): readonly string[] {
  return env.ERASE_KEYS?.trim() ? apiKeys(env.ERASE_KEYS) : s2sKeys(env);
}

/** The current uid secret first, then the previous one kept during rotation. */
function uidSecrets(env: Env): string[] {
  return [env.UID_SECRET, env.UID_SECRET_PREVIOUS ?? ""].filter(Boolean);
}

/** Whether `format=js` answers and pixel events need their page (Referer) in ALLOWED_ORIGINS (CHECK_EMBEDDING_PAGE); on when unset. */
export function checkEmbeddingPage(env: Env): boolean {
  return flagSetting("CHECK_EMBEDDING_PAGE", env.CHECK_EMBEDDING_PAGE, true);
}

export function cookiePartitioned(env: Env): boolean {
  return flagSetting("COOKIE_PARTITIONED", env.COOKIE_PARTITIONED, false);
}

/** HMAC keys shorter than this are refused: a guessable key would let anyone forge ids. */
export const MIN_SECRET_LENGTH = 16;

let usable: { current: string; previous: string; secrets: readonly string[] } | undefined;

/**
 * Like uidSecrets, but empty when the current secret is missing or too short to be safe. The same array
 * is returned while the secrets stay the same, so callers may key memos on it.
 */
export function usableUidSecrets(env: Env): readonly string[] {
  const current = env.UID_SECRET ?? "";
  const previous = env.UID_SECRET_PREVIOUS ?? "";
  if (usable?.current !== current || usable.previous !== previous) {
    const secrets = current.length < MIN_SECRET_LENGTH ? [] : uidSecrets(env).filter((s) => s.length >= MIN_SECRET_LENGTH);
    usable = { current, previous, secrets: Object.freeze(secrets) };
  }
  return usable.secrets;
}

const parsePolicy = memo((raw: string): ConsentPolicy => {
  const [vendor = "", purposes = ""] = raw.split("|");
  const vendorId = Number(vendor);
  const list = purposes
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map(Number);
  // A misconfigured deployment must fail loudly, not guess which consent it needs.
  if (!Number.isSafeInteger(vendorId) || vendorId <= 0) throw new ConfigError("CONSENT_VENDOR_ID must be a positive integer");
  if (list.some((p) => !Number.isInteger(p) || p < 1 || p > 24))
    throw new ConfigError("CONSENT_PURPOSES must be comma-separated TCF purpose numbers (1-24)");
  return { vendorId, purposes: list };
});

export function consentPolicy(env: Env): ConsentPolicy {
  return parsePolicy(`${env.CONSENT_VENDOR_ID}|${env.CONSENT_PURPOSES}`);
}

const kvDeadline = memo((raw) => numberSetting("KV_DEADLINE_MS", raw, { min: 1, max: 10_000, integer: true, fallback: 100 }));
const flushMs = memo((raw) => numberSetting("EVENT_LOG_FLUSH_MS", raw, { min: 0, max: 60_000, integer: true, fallback: 1_000 }));
const locationCache = memo((raw) =>
  numberSetting("LOCATION_CACHE_S", raw, { min: 0, max: LOCATION_CACHE_DEFAULT_S, integer: true, fallback: LOCATION_CACHE_DEFAULT_S }),
);
const sampleRate = memo((raw) => numberSetting("METRICS_SAMPLE_RATE", raw, { min: 0, max: 1, fallback: 1 }));

/** Longest wait for a KV read on a cache miss (KV_DEADLINE_MS), before answering degraded; 100 ms when unset. */
export function kvDeadlineMs(env: Env): number {
  return kvDeadline(env.KV_DEADLINE_MS ?? "");
}

/** How long an isolate collects accepted events before sending them as one event-log message (EVENT_LOG_FLUSH_MS); 1 s when unset. */
export function eventLogFlushMs(env: Env): number {
  return flushMs(env.EVENT_LOG_FLUSH_MS ?? "");
}

/** Share of ordinary requests written to Analytics Engine (METRICS_SAMPLE_RATE); every one when unset. */
export function metricsSampleRate(env: Env): number {
  return sampleRate(env.METRICS_SAMPLE_RATE ?? "");
}

/** Seconds the location's cache keeps a profile read (LOCATION_CACHE_S; 0 turns it off); at most KV's own edge cache, 30 s. */
export function locationCacheSeconds(env: Env): number {
  return locationCache(env.LOCATION_CACHE_S ?? "");
}
