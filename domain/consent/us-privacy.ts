/** The US Privacy (CCPA) string rule: `1YY-` and any other string whose third character is Y opts out of sale. */
import { ALLOWED, type ConsentVerdict, denied } from "./verdict";

/** Version 1, then notice given, opted out of sale, LSPA covered: each Y, N or - (not applicable). */
const US_PRIVACY = /^1[YN-][YN-][YN-]$/i;

/**
 * @param where names the signal in the reason ("us_privacy" or "gpp section uspv1")
 * @example usPrivacyVerdict("1YY-", "us_privacy") // denied: us_privacy opts out of sale
 */
export function usPrivacyVerdict(value: string, where: string): ConsentVerdict {
  if (!US_PRIVACY.test(value)) return denied(`${where} is not a valid US Privacy string`);
  if (value[2]!.toUpperCase() === "Y") return denied(`${where} opts out of sale`);
  return ALLOWED;
}
