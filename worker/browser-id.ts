/** Resolves the browser's uid from its signed `udn_id` cookie when consent allows, minting and setting a new one when it has none. */
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { decideConsentCached } from "./consent/decision-cache";
import { readConsentSignals } from "./consent/signals";
import type { AppEnv } from "./hono-env";
import { newUid, signUid, verifySignedUid } from "./identity";
import { logEvent } from "./log";
import { consentPolicy, cookiePartitioned, usableUidSecrets } from "./settings";

export const ID_COOKIE = "udn_id";
export const OPTOUT_COOKIE = "udn_optout";
/** Chromium caps cookie lifetime at 400 days. */
export const ID_MAX_AGE_S = 400 * 86_400;
/** Tells a publisher's engineer why a browser was not identified; never carries the signal's value. */
export const CONSENT_HEADER = "X-Udn-Consent";

/** Verified cookie values: the value carries its signature, so a remembered answer is as good as a new check. */
const verifiedCookies = new Map<string, { uid: string; stale: boolean }>();
/**
 * The memo's values in the order they came, oldest from `dropped` on. The Map's own order would do, but finding its
 * oldest takes a new iterator each time, stepping over the slots earlier drops left: ~6 µs a new browser at the
 * bound, against ~1 µs this way (a loop in workerd).
 */
let arrivals: string[] = [];
let dropped = 0;
function forgetAll(): void {
  verifiedCookies.clear();
  arrivals = [];
  dropped = 0;
}
/**
 * The memo's bound: ~215 B an entry in V8 (measured by the soak, before `arrivals` added a pointer or two), so
 * 50,000 hold ~10 MiB. Past it the oldest entry goes (first in, first out: a hit does not reorder, which keeps the
 * hot path's check a plain get); its browser pays one signature check when it comes back.
 */
export const verifiedMemo = { maxEntries: 50_000, size: (): number => verifiedCookies.size, clear: forgetAll };
/** The secrets the memo's answers were given under (usableUidSecrets returns one array per secret set). */
let verifiedUnder: readonly string[] | undefined;

/** A cookie value verified before under these same secrets, without any crypto: the hot path's check. */
export function rememberedCookie(value: string | undefined, secrets: readonly string[]) {
  // A rotation within one isolate must not reuse an answer given under the old keys.
  if (secrets !== verifiedUnder) {
    forgetAll();
    verifiedUnder = secrets;
  }
  return value ? verifiedCookies.get(value) : undefined;
}

/** Checks a cookie value's signature, remembering a good one. */
export function verifyCookie(value: string | undefined, secrets: readonly string[]) {
  const known = rememberedCookie(value, secrets);
  if (known || !value) return known;
  const verified = verifySignedUid(value, secrets);
  if (verified) {
    while (verifiedCookies.size >= verifiedMemo.maxEntries && dropped < arrivals.length) verifiedCookies.delete(arrivals[dropped++]!);
    // Dropped values are cut off the array's front once they are half of it: each value is copied at most once.
    if (dropped > 1024 && dropped * 2 > arrivals.length) {
      arrivals = arrivals.slice(dropped);
      dropped = 0;
    }
    verifiedCookies.set(value, verified);
    arrivals.push(value);
  }
  return verified;
}

/**
 * Sets `uid` to the verified id, a freshly minted one, or null when the browser opted out or the
 * request lacks the consent we need (then no cookie is read or set). A cookie is (re)set only on a
 * successful answer, so a rejected request changes nothing in the browser either.
 */
export const browserId = createMiddleware<AppEnv>(async (c, next) => {
  const signals = readConsentSignals(new URL(c.req.url).searchParams, c.req.header("Sec-GPC"));
  c.set("consent", signals);
  c.set("uid", null);
  if (getCookie(c, OPTOUT_COOKIE) === "1") return next();
  const verdict = decideConsentCached(signals, consentPolicy(c.env));
  if (!verdict.allowed) {
    c.header(CONSENT_HEADER, `denied; ${verdict.reason}`);
    return next();
  }
  const secrets = usableUidSecrets(c.env);
  if (secrets.length === 0) {
    logEvent("error", "UID_SECRET is missing or too short; browsers are not identified");
    return next();
  }
  const verified = verifyCookie(getCookie(c, ID_COOKIE), secrets);
  const uid = verified?.uid ?? newUid();
  // A new id, or one signed with the previous secret during a rotation, gets a cookie signed with the current one.
  const signed = verified && !verified.stale ? undefined : await signUid(uid, secrets[0]!);
  c.set("uid", uid);
  await next();
  if (signed && c.res.status < 400) {
    setCookie(c, ID_COOKIE, signed, {
      path: "/",
      maxAge: ID_MAX_AGE_S,
      sameSite: "None",
      secure: true,
      httpOnly: true,
      partitioned: cookiePartitioned(c.env),
    });
  }
});
