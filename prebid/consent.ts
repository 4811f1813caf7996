/** Whether the user's TCF consent lets this module add data: Prebid's rule for `enrichUfpd`, our vendor and Purpose 4. */

/** The GDPR part of Prebid's consent data, as its TCF consent module fills it from the CMP. */
export interface GdprConsent {
  gdprApplies?: boolean;
  vendorData?: { vendor?: { consents?: Record<number, boolean> }; purpose?: { consents?: Record<number, boolean> } };
}

/** Personalised advertising: what `user.data` and audience key-values are for. */
const PURPOSE_PERSONALISED_ADS = 4;

/**
 * True when GDPR does not apply, or the user gave our vendor consent and Purpose 4 consent. Prebid's own
 * enforcement (tcfControl) blocks `user.data` writes the same way when the publisher bundles it; checking
 * here too keeps a bundle without it, and the GAM key-values (which Prebid does not guard), within consent.
 */
export function enrichmentAllowed(consent: { gdpr?: GdprConsent | null } | undefined, gvlid: number): boolean {
  const gdpr = consent?.gdpr;
  if (gdpr?.gdprApplies !== true) return true;
  return gdpr.vendorData?.vendor?.consents?.[gvlid] === true && gdpr.vendorData?.purpose?.consents?.[PURPOSE_PERSONALISED_ADS] === true;
}
