/** The consent signals' shape (TCF, GPP, US Privacy, Sec-GPC), read from given query parameters and header. */

export interface ConsentSignals {
  /** `gdpr` as sent: "1" applies, "0" does not, absent = unknown. */
  gdpr?: string;
  gdprConsent?: string;
  gpp?: string;
  gppSid?: string;
  usPrivacy?: string;
  /** `Sec-GPC: 1`: the browser asks not to sell or share. */
  gpc: boolean;
}

/** The query keys that carry consent; routes that turn query keys into event props skip them. */
export const CONSENT_PARAMS: ReadonlySet<string> = new Set(["gdpr", "gdpr_consent", "gpp", "gpp_sid", "us_privacy"]);

/**
 * Empty values count as absent: ad tags fill these from macros that expand to "" when no CMP is present.
 * @param query the request's query parameters; undefined when the URL has no query
 * @param secGpc the `Sec-GPC` header, if any
 */
export function readConsentSignals(
  query: { get(name: string): string | null | undefined } | undefined,
  secGpc: string | undefined,
): ConsentSignals {
  const signals: ConsentSignals = { gpc: secGpc?.trim() === "1" };
  if (!query) return signals;
  const get = (k: string) => query.get(k)?.trim() || undefined;
  const gdpr = get("gdpr");
  const gdprConsent = get("gdpr_consent");
  const gpp = get("gpp");
  const gppSid = get("gpp_sid");
  const usPrivacy = get("us_privacy");
  if (gdpr !== undefined) signals.gdpr = gdpr;
  if (gdprConsent !== undefined) signals.gdprConsent = gdprConsent;
  if (gpp !== undefined) signals.gpp = gpp;
  if (gppSid !== undefined) signals.gppSid = gppSid;
  if (usPrivacy !== undefined) signals.usPrivacy = usPrivacy;
  return signals;
}
