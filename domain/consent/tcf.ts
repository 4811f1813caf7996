/** The TCF v2 rule: a TC string must give our vendor consent for each purpose we need (read by tc-core-reader.ts, in bounded time). */
import { readTcCore } from "./tc-core-reader";
import { ALLOWED, type ConsentPolicy, type ConsentVerdict, denied } from "./verdict";

/** Longer than any real TC string with its optional segments. */
const MAX_TC_STRING = 4096;
/** Publisher restriction types that take consent away as a basis: purpose not allowed (0), legitimate interest required (2). */
const NOT_ALLOWED = 0;
const REQUIRE_LI = 2;

/**
 * Consent is the only basis accepted: TCF 2.2 rules out legitimate interest for profiles and
 * personalised ads (purposes 3-6), and purpose 1 never has one. A publisher restriction that forbids
 * the purpose for our vendor, or flips it to legitimate interest, therefore also denies. When several
 * restrictions name our vendor for one purpose the lowest type counts, as in the IAB's decoder. Only the core
 * segment is read; the optional ones (disclosed vendors, publisher purposes) take no part, and are walked only
 * so that a string the IAB's decoder refuses is refused here too.
 * @param where names the signal in the reason ("gdpr_consent" or "gpp section tcfeuv2")
 */
export function tcfVerdict(tcString: string, policy: ConsentPolicy, where: string): ConsentVerdict {
  if (tcString.length > MAX_TC_STRING) return denied(`${where} is longer than ${MAX_TC_STRING} characters`);
  const tc = readTcCore(tcString, policy.vendorId);
  if (!tc.ok) return denied(tc.problem === "truncated" ? `${where} is a truncated TC string` : `${where} is not a valid TC string`);
  if (tc.version !== 2) return denied(`${where} is not a TCF v2 string`);
  if (!tc.vendorConsent) return denied(`${where} gives vendor ${policy.vendorId} no consent`);
  for (const p of policy.purposes) {
    const consented = p >= 1 && p <= 24 && ((tc.purposeConsents >>> (24 - p)) & 1) === 1;
    if (!consented) return denied(`${where} gives no consent for purpose ${p}`);
    const restriction = tc.restrictions.get(p);
    if (restriction === NOT_ALLOWED || restriction === REQUIRE_LI)
      return denied(`${where} restricts purpose ${p} for vendor ${policy.vendorId}`);
  }
  return ALLOWED;
}
