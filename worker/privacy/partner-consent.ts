/** Whether a request's consent lets a partner's id be matched or shared: the partner's own vendor consent for purpose 1 (storage). */
import type { ConsentSignals } from "../../domain/consent/signals";
import type { Partner } from "../../domain/identity/partners";
import { decideConsentCached } from "./consent-memo";

export function partnerAllowed(signals: ConsentSignals): (p: Partner) => boolean {
  return (p) => decideConsentCached(signals, { vendorId: p.gvlid, purposes: [1] }).allowed;
}
