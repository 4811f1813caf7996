/** Who a browser request is for: the one decision of consent, opt-out and the `udn_id` cookie, for the app and the hot path alike. */
import type { ConsentSignals } from "../../domain/consent/signals";
import { readIdCookies } from "../../domain/id-cookie";
import { decideConsentCached } from "../privacy/consent-memo";
import { requestSignals } from "../privacy/request-consent";
import { consentPolicy, usableUidSecrets } from "../settings";
import { verifyCookie } from "./signed-ids";

/** Who the browser is, by kind. */
type Identity =
  /** Opted out: nothing is read, stored or set. */
  | { kind: "opted-out" }
  /** A signal that applies does not allow us (the reason names it, never its value). */
  | { kind: "denied"; reason: string }
  /** UID_SECRET is missing or too short: nobody can be identified. */
  | { kind: "no-secret" }
  /** A good cookie; `stale` when an older secret signed it (to be re-signed). */
  | { kind: "known"; uid: string; stale: boolean; secrets: readonly string[] }
  /** No cookie, or one that is not ours: a new id is minted. */
  | { kind: "new"; secrets: readonly string[] };

/** The browser and the consent signals its request carried. */
export type Browser = Identity & { signals: ConsentSignals };

/** Synchronous: a remembered cookie costs a Map get, a new one an HMAC in plain JS. */
export function resolveBrowser(env: Env, url: string, cookie: string | undefined, secGpc: string | undefined): Browser {
  const signals = requestSignals(url, secGpc);
  const cookies = readIdCookies(cookie);
  if (cookies.optedOut) return { signals, kind: "opted-out" };
  const verdict = decideConsentCached(signals, consentPolicy(env));
  if (!verdict.allowed) return { signals, kind: "denied", reason: verdict.reason };
  const { secrets, verified } = checkedCookie(env, cookies.id);
  if (secrets.length === 0) return { signals, kind: "no-secret" };
  return verified ? { signals, kind: "known", uid: verified.uid, stale: verified.stale, secrets } : { signals, kind: "new", secrets };
}

/**
 * The uid of a good `udn_id` in a Cookie header, whatever consent says: what opt-out erases. The same checks as
 * resolveBrowser's (which cookie counts, which secrets, the memo).
 */
export function cookieUid(env: Env, cookie: string | undefined): string | undefined {
  return checkedCookie(env, readIdCookies(cookie).id).verified?.uid;
}

/** A cookie value checked under the usable secrets; none (no verification) when UID_SECRET is missing or too short. */
function checkedCookie(env: Env, id: string | undefined) {
  const secrets = usableUidSecrets(env);
  return { secrets, verified: secrets.length ? verifyCookie(id, secrets) : undefined };
}
