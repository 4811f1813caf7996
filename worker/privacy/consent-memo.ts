/** Consent decisions remembered per isolate: a page's calls repeat the same strings, and a GPP string's US sections cost tens of µs each to read. */
import { decideConsent } from "../../domain/consent/decide";
import type { ConsentSignals } from "../../domain/consent/signals";
import type { ConsentPolicy, ConsentVerdict } from "../../domain/consent/verdict";
import { consentDecisions } from "../isolate";

/** Longer signal sets are decided afresh rather than held: the memo stays under ~1 MB. */
const MAX_KEY_LENGTH = 2048;

/** decideConsent, remembered for the last signal sets decided, oldest out first (a hit reorders nothing). */
export function decideConsentCached(s: ConsentSignals, policy: ConsentPolicy): ConsentVerdict {
  if (s.gdprConsent === undefined && s.gpp === undefined) return decideConsent(s, policy);
  const key = JSON.stringify([policy.vendorId, policy.purposes, s.gpc, s.gdpr, s.gdprConsent, s.usPrivacy, s.gpp, s.gppSid]);
  if (key.length > MAX_KEY_LENGTH) return decideConsent(s, policy);
  const known = consentDecisions.get(key);
  if (known) return known;
  const verdict = decideConsent(s, policy);
  consentDecisions.set(key, verdict);
  return verdict;
}
