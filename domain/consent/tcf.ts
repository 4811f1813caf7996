/** The TCF v2 rule: a TC string (decoded by @iabtcf/core) must give our vendor consent for each purpose we need. */
import { RestrictionType, type TCModel, TCString } from "@iabtcf/core";
import { ALLOWED, type ConsentPolicy, type ConsentVerdict, denied } from "./verdict";

/** Longer than any real TC string with its optional segments; bounds the decoding work. */
const MAX_TC_STRING = 4096;

/**
 * Consent is the only basis accepted: TCF 2.2 rules out legitimate interest for profiles and
 * personalised ads (purposes 3-6), and purpose 1 never has one. A publisher restriction that forbids
 * the purpose for our vendor, or flips it to legitimate interest, therefore also denies.
 * @param where names the signal in the reason ("gdpr_consent" or "gpp section tcfeuv2")
 */
export function tcfVerdict(tcString: string, policy: ConsentPolicy, where: string): ConsentVerdict {
  if (tcString.length > MAX_TC_STRING) return denied(`${where} is longer than ${MAX_TC_STRING} characters`);
  let tc: TCModel;
  try {
    tc = TCString.decode(tcString);
  } catch {
    return denied(`${where} is not a valid TC string`);
  }
  if (Number(tc.version) !== 2) return denied(`${where} is not a TCF v2 string`);
  if (!tc.vendorConsents.has(policy.vendorId)) return denied(`${where} gives vendor ${policy.vendorId} no consent`);
  for (const p of policy.purposes) {
    if (!tc.purposeConsents.has(p)) return denied(`${where} gives no consent for purpose ${p}`);
    const restriction = tc.publisherRestrictions.getRestrictionType(policy.vendorId, p);
    if (restriction === RestrictionType.NOT_ALLOWED || restriction === RestrictionType.REQUIRE_LI) {
      return denied(`${where} restricts purpose ${p} for vendor ${policy.vendorId}`);
    }
  }
  return ALLOWED;
}
