/** GAM key-values per ad unit from the edge's key-values. */
import { describe, expect, it } from "vitest";
import { adUnitTargeting } from "../../prebid/ad-unit-targeting";

describe("adUnitTargeting", () => {
  it("puts the edge's key-values on every ad unit, each its own copy", () => {
    const t = adUnitTargeting(["top", "side"], { udn: ["244", "806"] });
    expect(t).toEqual({ top: { udn: ["244", "806"] }, side: { udn: ["244", "806"] } });
    t.top!.udn!.push("x");
    expect(t.side!.udn).toEqual(["244", "806"]);
  });

  it("gives nothing for keys without values, no segments or no ad units", () => {
    expect(adUnitTargeting(["top"], { udn: [] })).toEqual({});
    expect(adUnitTargeting(["top"], {})).toEqual({});
    expect(adUnitTargeting([], { udn: ["1"] })).toEqual({});
    expect(adUnitTargeting(["top"], { udn: ["1"], empty: [] })).toEqual({ top: { udn: ["1"] } });
  });
});
