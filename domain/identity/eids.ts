/** OpenRTB 2.6 `user.eids`: our id, and the partners' ids matched to it where configuration and consent allow. */
import type { PartnerId } from "../profile-record";
import type { CompiledPartners, Partner } from "./partners";

export interface Eid {
  source: string;
  uids: { id: string; atype: number }[];
  /** Who made the match (us, by cookie sync), and how: AdCOM match method 2 = cookie or device sync. */
  matcher?: string;
  mm?: number;
}

/** A partner id held for a user, and when it was last synced. */
export interface PartnerLink extends PartnerId {
  at: number;
}

const COOKIE_SYNC = 2;

/**
 * @param source our id's source (EID_SOURCE); empty: no eids at all
 * @param person the uid is a person's (a declared id joined browsers), so its agent type is 3, else 1
 * @param allowed whether the request's consent lets this partner's id be shared
 */
export function eidsOf(
  uid: string,
  person: boolean,
  links: readonly PartnerId[],
  source: string,
  config: CompiledPartners,
  allowed: (p: Partner) => boolean,
): Eid[] {
  if (!source) return [];
  const eids: Eid[] = [{ source, uids: [{ id: uid, atype: person ? 3 : 1 }] }];
  for (const link of links) {
    const p = config.partners.get(link.partner);
    if (!p?.eids || !allowed(p)) continue;
    eids.push({ source: p.eids.source, uids: [{ id: link.puid, atype: p.eids.atype }], matcher: source, mm: COOKIE_SYNC });
  }
  return eids;
}
