/** Resolves the browser's uid from its signed `udn_id` cookie when consent allows, minting and setting a new one when it has none. */
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { decideConsentCached } from "../privacy/consent-memo";
import { readConsentSignals } from "../../domain/consent/signals";
import type { AppEnv } from "../http/hono-env";
import { newUid, signUid, verifySignedUid } from "../../domain/ids";
import { logEvent } from "../../domain/log";
import { FifoMemo } from "../../domain/fifo-memo";
import { consentPolicy, cookiePartitioned, usableUidSecrets } from "../settings";

export const ID_COOKIE = "udn_id";
export const OPTOUT_COOKIE = "udn_optout";
/** Chromium caps cookie lifetime at 400 days. */
export const ID_MAX_AGE_S = 400 * 86_400;
/** Tells a publisher's engineer why a browser was not identified; never carries the signal's value. */
export const CONSENT_HEADER = "X-Udn-Consent";

/**
 * Verified cookie values: the value carries its signature, so a remembered answer is as good as a new check.
 * ~215 B an entry in V8 (measured by the soak, before the memo kept its arrival order), so 50,000 hold ~10 MiB. Past
 * the bound the oldest entry goes (a hit does not reorder, which keeps the hot path's check a plain get); its browser
 * pays one signature check when it comes back.
 */
export const verifiedMemo = new FifoMemo<{ uid: string; stale: boolean }>(50_000);
/** The secrets the memo's answers were given under (usableUidSecrets returns one array per secret set). */
let verifiedUnder: readonly string[] | undefined;

/** A cookie value verified before under these same secrets, without any crypto: the hot path's check. */
export function rememberedCookie(value: string | undefined, secrets: readonly string[]) {
  // A rotation within one isolate must not reuse an answer given under the old keys.
  if (secrets !== verifiedUnder) {
    verifiedMemo.clear();
    verifiedUnder = secrets;
  }
  return value ? verifiedMemo.get(value) : undefined;
}

/** Checks a cookie value's signature, remembering a good one. */
export function verifyCookie(value: string | undefined, secrets: readonly string[]) {
  const known = rememberedCookie(value, secrets);
  if (known || !value) return known;
  const verified = verifySignedUid(value, secrets);
  if (verified) verifiedMemo.set(value, verified);
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
