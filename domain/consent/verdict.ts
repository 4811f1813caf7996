/** The outcome of a consent check and the settings it is checked against. */

export type ConsentVerdict = { allowed: true } | { allowed: false; reason: string };

export const ALLOWED: ConsentVerdict = Object.freeze({ allowed: true });

/** A denial; reasons name the signal and the rule, never the signal's value. */
export function denied(reason: string): ConsentVerdict {
  return { allowed: false, reason };
}

export interface ConsentPolicy {
  /** Our IAB Global Vendor List id. */
  vendorId: number;
  /** TCF purposes this service needs consent for (1 = store/access on a device, 3/4 = personalised ads profile/selection). */
  purposes: readonly number[];
}
