/** The consent decision: every signal that applies must allow us; one that does not, or cannot be read, denies. */
import { gppVerdict } from "./gpp";
import type { ConsentSignals } from "./signals";
import { tcfVerdict } from "./tcf";
import { usPrivacyVerdict } from "./us-privacy";
import { ALLOWED, type ConsentPolicy, type ConsentVerdict, denied } from "./verdict";

/**
 * Rules, in order (the first denial wins):
 * 1. `Sec-GPC: 1` denies: building a cross-site profile for ads is "sharing" under US state laws.
 * 2. TCF applies when `gdpr` is anything but "0", and also when `gdpr` is absent but a TC string is sent:
 *    then it must be present and allow us (see tcf.ts). `gdpr=0` ignores `gdpr_consent`.
 * 3. `us_privacy` denies when it opts out of sale or cannot be read.
 * 4. GPP: each applicable section must allow us (see gpp.ts).
 * No signal at all allows: the contract serves unknown browsers.
 */
export function decideConsent(s: ConsentSignals, policy: ConsentPolicy): ConsentVerdict {
  if (s.gpc) return denied("Sec-GPC: 1 asks not to sell or share");
  const gdprApplies = s.gdpr === undefined ? s.gdprConsent !== undefined : s.gdpr !== "0";
  if (gdprApplies) {
    if (s.gdprConsent === undefined) return denied("gdpr=1 without gdpr_consent");
    const v = tcfVerdict(s.gdprConsent, policy, "gdpr_consent");
    if (!v.allowed) return v;
  }
  if (s.usPrivacy !== undefined) {
    const v = usPrivacyVerdict(s.usPrivacy, "us_privacy");
    if (!v.allowed) return v;
  }
  if (s.gpp !== undefined || s.gppSid !== undefined) return gppVerdict(s.gpp, s.gppSid, policy);
  return ALLOWED;
}
