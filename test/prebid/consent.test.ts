/** The module's own consent rule: our vendor and Purpose 4 when GDPR applies. */
import { describe, expect, it } from "vitest";
import { enrichmentAllowed } from "../../prebid/consent";
import { GVLID } from "../../prebid/udn-rtd-gvlid";

const gdpr = (vendors: number[], purposes: number[], gdprApplies = true) => ({
  gdpr: {
    gdprApplies,
    vendorData: {
      vendor: { consents: Object.fromEntries(vendors.map((v) => [v, true])) },
      purpose: { consents: Object.fromEntries(purposes.map((p) => [p, true])) },
    },
  },
});

describe("enrichmentAllowed", () => {
  it("allows when GDPR does not apply or there is no GDPR data", () => {
    expect(enrichmentAllowed(undefined, GVLID)).toBe(true);
    expect(enrichmentAllowed({}, GVLID)).toBe(true);
    expect(enrichmentAllowed({ gdpr: null }, GVLID)).toBe(true);
    expect(enrichmentAllowed(gdpr([], [], false), GVLID)).toBe(true);
  });

  it("needs both our vendor's consent and Purpose 4 when GDPR applies", () => {
    expect(enrichmentAllowed(gdpr([GVLID], [1, 3, 4]), GVLID)).toBe(true);
    expect(enrichmentAllowed(gdpr([], [1, 3, 4]), GVLID)).toBe(false);
    expect(enrichmentAllowed(gdpr([GVLID + 1], [1, 3, 4]), GVLID)).toBe(false);
    expect(enrichmentAllowed(gdpr([GVLID], [1, 3]), GVLID)).toBe(false);
    expect(enrichmentAllowed({ gdpr: { gdprApplies: true } }, GVLID)).toBe(false);
  });
});
