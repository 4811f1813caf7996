/** The `user.eids` of a lookup's answer: browsers' ortb2 and page answers, and bidders' answers that ask (`eids=1`). */
import type { ConsentSignals } from "../../domain/consent/signals";
import { type Eid, eidsOf } from "../../domain/identity/eids";
import { type CompiledPartners, NO_PARTNERS } from "../../domain/identity/partners";
import type { Profile } from "../../domain/profile-record";
import type { Format } from "../../domain/segment-formats";
import { partnerConfig } from "../../platform/partner-store";
import { queryOf } from "../http/query";
import { partnerAllowed } from "../privacy/partner-consent";

const NONE: readonly Eid[] = Object.freeze([]);

/** Whether the answer carries eids: a browser's in the OpenRTB formats, a bidder's when it asks. */
export function wantsEids(format: Format, url: string, fromBrowser: boolean): boolean {
  if (fromBrowser) return format === "ortb2" || format === "page";
  return url.includes("eids=") && queryOf(url).get("eids") === "1";
}

/**
 * @param signals the browser's consent signals; a bidder's answer (undefined) carries every configured partner's id,
 *   whose consent was checked when the ids were matched
 * @returns at once unless partner ids must wait for this isolate's first read of the partner document
 */
export function lookupEids(
  env: Env,
  ctx: Pick<ExecutionContext, "waitUntil">,
  uid: string,
  profile: Profile,
  signals: ConsentSignals | undefined,
): readonly Eid[] | Promise<readonly Eid[]> {
  const source = env.EID_SOURCE ?? "";
  if (!source) return NONE;
  const allowed = signals ? partnerAllowed(signals) : () => true;
  const build = (config: CompiledPartners) => eidsOf(uid, profile.person === true, profile.partners ?? [], source, config, allowed);
  if (!profile.partners?.length) return build(NO_PARTNERS);
  const config = partnerConfig(env.PROFILES, ctx);
  return config instanceof Promise ? config.then(build) : build(config);
}
