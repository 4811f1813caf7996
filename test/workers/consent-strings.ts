/** Real consent strings for tests, made by the IAB's own libraries: TC strings by @iabtcf/core, GPP strings by @iabgpp/cmpapi. */
import { GppModel } from "@iabgpp/cmpapi";
import { GVL, PurposeRestriction, RestrictionType, TCModel, TCString } from "@iabtcf/core";
import { env } from "cloudflare:workers";

export const VENDOR = Number(env.CONSENT_VENDOR_ID);
export const PURPOSES = env.CONSENT_PURPOSES.split(",").map(Number);
const OTHER_VENDOR = 99;

/** A small Global Vendor List naming us and one other vendor, both asking consent for purposes 1-4. */
function vendorList() {
  const purpose = (id: number) => ({ id, name: `Purpose ${id}`, description: "", illustrations: [] });
  const vendor = (id: number) => ({
    id,
    name: `Vendor ${id}`,
    purposes: [1, 2, 3, 4],
    legIntPurposes: [],
    flexiblePurposes: [2, 3, 4],
    specialPurposes: [],
    features: [],
    specialFeatures: [],
    policyUrl: "https://vendor.example/privacy",
    cookieMaxAgeSeconds: 34_560_000,
    usesCookies: true,
    usesNonCookieAccess: false,
  });
  return {
    gvlSpecificationVersion: 3,
    vendorListVersion: 100,
    tcfPolicyVersion: 4,
    lastUpdated: "2026-11-01T00:00:00Z",
    purposes: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((id) => [id, purpose(id)])),
    specialPurposes: {},
    features: {},
    specialFeatures: {},
    stacks: {},
    vendors: { [VENDOR]: vendor(VENDOR), [OTHER_VENDOR]: vendor(OTHER_VENDOR) },
  };
}

export interface TcOptions {
  vendors?: number[];
  purposes?: number[];
  /** Publisher restrictions on our vendor: purpose -> type. */
  restrictions?: [number, RestrictionType][];
}

/** A TCF v2.2 TC string; by default one giving us consent for every purpose we need. */
export function tcString(opts: TcOptions = {}): string {
  const model = new TCModel(new GVL(vendorList() as never));
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
