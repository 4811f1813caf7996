/** Real consent strings built by the IAB's own libraries (TC strings by @iabtechlabtcf/core, GPP by @iabgpp/cmpapi), for tests in workerd and in Node alike. */
import { GppModel } from "@iabgpp/cmpapi";
import { GVL, PurposeRestriction, type RestrictionType, TCModel, TCString } from "@iabtechlabtcf/core";
import { globalVendorList } from "./global-vendor-list";

/** A second vendor in the list, so that strings can name a vendor other than us. */
export const OTHER_VENDOR = 99;

export interface TcContent {
  /** Vendors given consent. */
  vendors: number[];
  /** Purposes given consent. */
  purposes: number[];
  /** Publisher restrictions on `vendor`: purpose -> type. */
  restrictions?: [number, RestrictionType][];
}

/** A TCF v2.2 TC string from a list holding `vendor` (and OTHER_VENDOR). */
export function encodeTcString(vendor: number, content: TcContent): string {
  const model = new TCModel(new GVL(globalVendorList([vendor, OTHER_VENDOR]) as never));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  model.vendorConsents.set(content.vendors);
  model.purposeConsents.set(content.purposes);
  for (const [purpose, type] of content.restrictions ?? []) model.publisherRestrictions.add(vendor, new PurposeRestriction(purpose, type));
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
