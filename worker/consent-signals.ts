/** The consent signals a browser request carried, as they arrived: kept with each logged event for the batch engine. */

export interface ConsentSignals {
  gdpr?: string;
  gdpr_consent?: string;
  gpp?: string;
  gpp_sid?: string;
  us_privacy?: string;
  /** `Sec-GPC: 1` (Global Privacy Control). */
  gpc?: true;
}

const PARAMS = ["gdpr", "gdpr_consent", "gpp", "gpp_sid", "us_privacy"] as const;
/** Longer values are not consent strings we could pass on; they are left out rather than cut. */
const MAX_SIGNAL_CHARS = 4096;

export function consentSignals(url: URL, headers: Headers): ConsentSignals {
  const out: ConsentSignals = {};
  for (const p of PARAMS) {
    const v = url.searchParams.get(p);
    if (v !== null && v.length <= MAX_SIGNAL_CHARS) out[p] = v;
  }
  if (headers.get("Sec-GPC")?.trim() === "1") out.gpc = true;
  return out;
}
