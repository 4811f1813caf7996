/** Real consent strings for tests, made by the IAB's own libraries: TC strings by @iabtcf/core, GPP strings by @iabgpp/cmpapi. */

import { env } from "cloudflare:workers";
import { GppModel } from "@iabgpp/cmpapi";
import { GVL, PurposeRestriction, type RestrictionType, TCModel, TCString } from "@iabtcf/core";
import { globalVendorList } from "./global-vendor-list";

export const VENDOR = Number(env.CONSENT_VENDOR_ID);
export const PURPOSES = env.CONSENT_PURPOSES.split(",").map(Number);
/** A second vendor in the list, so that strings can name a vendor other than us. */
const OTHER_VENDOR = 99;

export interface TcOptions {
  vendors?: number[];
  purposes?: number[];
  /** Publisher restrictions on our vendor: purpose -> type. */
  restrictions?: [number, RestrictionType][];
}

/** A TCF v2.2 TC string; by default one giving us consent for every purpose we need. */
export function tcString(opts: TcOptions = {}): string {
  const model = new TCModel(new GVL(globalVendorList([VENDOR, OTHER_VENDOR]) as never));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  model.vendorConsents.set(opts.vendors ?? [VENDOR]);
  model.purposeConsents.set(opts.purposes ?? PURPOSES);
  for (const [purpose, type] of opts.restrictions ?? []) {
    model.publisherRestrictions.add(VENDOR, new PurposeRestriction(purpose, type));
  }
  return TCString.encode(model);
}

/** A GPP string with the given sections' fields set, e.g. `{ usnat: { SaleOptOut: 1 } }`. */
export function gppString(sections: Record<string, Record<string, unknown>>): string {
  const model = new GppModel();
  for (const [section, fields] of Object.entries(sections)) {
    for (const [field, value] of Object.entries(fields)) model.setFieldValue(section, field, value);
  }
  return model.encode();
}
