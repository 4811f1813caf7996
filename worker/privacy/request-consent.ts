/** A browser request's consent: its signals (query parameters and Sec-GPC) and our decision on them, remembered. */
import { CONSENT_PARAMS, type ConsentSignals, readConsentSignals } from "../../domain/consent/signals";
import type { ConsentVerdict } from "../../domain/consent/verdict";
import { consentPolicy } from "../settings";
import { decideConsentCached } from "./consent-memo";

/** A query that could name a consent parameter: one of their names, or a % that could spell one. */
const CONSENT_HINT = new RegExp([...CONSENT_PARAMS, "%"].join("|"));

/** The signals of a request to `url`; the query is parsed only when it could carry one (most lookups carry none). */
export function requestSignals(url: string, secGpc: string | undefined): ConsentSignals {
  const q = url.indexOf("?");
  const text = q < 0 ? "" : url.slice(q + 1);
  return readConsentSignals(CONSENT_HINT.test(text) ? new URLSearchParams(text) : undefined, secGpc);
}

export function requestConsent(env: Env, url: string, secGpc: string | undefined): { signals: ConsentSignals; verdict: ConsentVerdict } {
  const signals = requestSignals(url, secGpc);
  return { signals, verdict: decideConsentCached(signals, consentPolicy(env)) };
}
