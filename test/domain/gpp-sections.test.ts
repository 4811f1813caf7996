/** GPP strings: sections found by the header's ids, TCF Canada read as the IAB's decoder reads it, and bounded work on strings built to hurt. */
import { GppModel } from "@iabgpp/cmpapi";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BitReader } from "../../domain/consent/bit-reader";
import { gppVerdict } from "../../domain/consent/gpp";
import { readGppHeader } from "../../domain/consent/gpp-header";
import { ALLOWED, type ConsentPolicy, type ConsentVerdict, denied } from "../../domain/consent/verdict";
import { gppHeader, tcCore, tcfCaCore, worstGppString } from "../support/adversarial-consent";
import { BitWriter } from "../support/bit-writer";
import { gppString } from "../support/consent-builders";

const policy: ConsentPolicy = { vendorId: 42, purposes: [1, 3, 4] };
const flags = (ids: number[]) => Array.from({ length: 24 }, (_, i) => ids.includes(i + 1));

/** The verdict, and the reads it took, which must stay within the string's bits. */
function decide(gpp: string, sid: string | undefined, p = policy): ConsentVerdict {
  const before = BitReader.steps;
  const v = gppVerdict(gpp, sid, p);
  expect(BitReader.steps - before).toBeLessThanOrEqual(gpp.length * 6);
  return v;
}

/** The tcfcav1 rule as it read on the IAB's model (before the bounded reader): the oracle. */
function oracleCaVerdict(gpp: string, p: ConsentPolicy): ConsentVerdict {
  const model = new GppModel(gpp);
  const get = <T>(field: string) => (model.getFieldValue("tcfcav1", field) as T[] | null) ?? [];
  const vendors = new Set([...get<number>("VendorExpressConsent"), ...get<number>("VendorImpliedConsent")]);
  if (!vendors.has(p.vendorId)) return denied(`gpp section tcfcav1 gives vendor ${p.vendorId} no consent`);
  const [express, implied] = [get<boolean>("PurposesExpressConsent"), get<boolean>("PurposesImpliedConsent")];
  for (const q of p.purposes)
    if (!express[q - 1] && !implied[q - 1]) return denied(`gpp section tcfcav1 gives no consent for purpose ${q}`);
  return ALLOWED;
}

describe("GPP sections by id", () => {
  it("reads the header's ids as the IAB's model does for the sections it knows", () => {
    const s = gppString({ tcfeuv2: { CmpId: 10 }, uspv1: { Notice: "Y" }, usnat: { SaleOptOut: 2 }, usca: { SaleOptOut: 2 } });
    const [header = "", ...sections] = s.split("~");
    expect(readGppHeader(header, sections.length)).toEqual(new GppModel(s).getSectionIds());
    expect(readGppHeader(gppHeader([2, 5, 6, 7, 300]), 5)).toEqual([2, 5, 6, 7, 300]);
    expect(readGppHeader(gppHeader([2, 5]), 3)).toBeUndefined();
  });

  it("uses the TCF section's own text when the header lists an unknown section before it", () => {
    const eu = (vendors: number[]) => tcCore({ purposes: [1, 3, 4], consent: vendors });
    const unknown = tcCore({ purposes: [], consent: [] });
    const granted = [gppHeader([1, 2]), unknown, eu([42])].join("~");
    const refused = [gppHeader([1, 2]), unknown, eu([41])].join("~");
    // The IAB's model lists only the sections it knows: its second id is not the string's second section.
    expect(new GppModel(granted).getSectionIds()).toEqual([2]);
    expect(decide(granted, "2")).toEqual(ALLOWED);
    expect(decide(refused, "2")).toEqual(denied("gpp section tcfeuv2 gives vendor 42 no consent"));
    // Without gpp_sid every section applies, and one that cannot be checked cannot allow us.
    expect(decide(granted, undefined)).toEqual(denied("gpp section 1 is not supported"));
    expect(decide(granted, "7")).toEqual(denied("gpp has no section 7 though gpp_sid names it"));
    expect(decide(gppString({ usca: { SaleOptOut: 2 } }), "2,8")).toEqual(denied("gpp has no section 2 though gpp_sid names it"));
  });

  it("refuses a header that does not list one id per section, or whose ranges name more sections than follow", () => {
    const eu = tcCore({ purposes: [1, 3, 4], consent: [42] });
    expect(decide([gppHeader([2, 5]), eu].join("~"), "2")).toEqual(denied("gpp is not a valid GPP string"));
    expect(decide([gppHeader([2]), eu, eu].join("~"), "2")).toEqual(denied("gpp is not a valid GPP string"));
    const wide = new BitWriter()
      .int(3, 6)
      .int(1, 6)
      .int(1, 12)
      .int(1, 1)
      .fibonacci(1)
      .fibonacci(2 ** 40)
      .toBase64Url();
    expect(decide([wide, eu].join("~"), "2")).toEqual(denied("gpp is not a valid GPP string"));
    const lying = new BitWriter().int(3, 6).int(1, 6).int(4095, 12).int(0, 1).fibonacci(2).toBase64Url();
    expect(decide([lying, eu].join("~"), "2")).toEqual(denied("gpp is not a valid GPP string"));
  });
});

describe("TCF Canada sections", () => {
  const run = fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 30 }));
  const ids = (runs: [number, number][], singles: number[]) => [
    ...runs.flatMap(([s, n]) => Array.from({ length: n }, (_, i) => s + i)),
    ...singles,
  ];
  const vendors = fc.tuple(fc.array(run, { maxLength: 5 }), fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }));
  const purposes = fc.uniqueArray(fc.integer({ min: 1, max: 24 }), { maxLength: 24 });

  it("decides as the IAB's decoder does on the sections it builds", () => {
    fc.assert(
      fc.property(vendors, vendors, purposes, purposes, fc.integer({ min: 1, max: 440 }), (ve, vi, pe, pi, vendorId) => {
        const s = gppString({
          tcfcav1: {
            VendorExpressConsent: ids(...ve),
            VendorImpliedConsent: ids(...vi),
            PurposesExpressConsent: flags(pe),
            PurposesImpliedConsent: flags(pi),
          },
        });
        const p = { vendorId, purposes: [1, 3, 4] };
        expect(decide(s, "5", p)).toEqual(oracleCaVerdict(s, p));
      }),
      { numRuns: 200 },
    );
  });

  it("compares Fibonacci-coded range ends with our id, however far they reach, and refuses cut sections", () => {
    const far = tcfCaCore([1, 3, 4], [[1, 2 ** 40]]);
    const s = [gppHeader([5]), far].join("~");
    expect(decide(s, "5")).toEqual(ALLOWED);
    expect(decide([gppHeader([5]), tcfCaCore([1, 3, 4], [[43, 2 ** 40]])].join("~"), "5")).toEqual(
      denied("gpp section tcfcav1 gives vendor 42 no consent"),
    );
    // The encoder pads to 24 bits, so a cut within the last three characters may still read whole.
    for (let n = 0; n < far.length - 3; n++)
      expect(decide([gppHeader([5]), far.slice(0, n)].join("~"), "5").allowed, `cut at ${n}`).toBe(false);
  });
});

describe("GPP strings built to hurt", () => {
  it("decides the costliest string within 8192 characters by reading each section once", () => {
    const worst = worstGppString([1, 3, 4]);
    expect(worst.length).toBeLessThanOrEqual(8192);
    expect(decide(worst, undefined)).toEqual(ALLOWED);
  });

  it("refuses a US section longer than any the specification defines before the IAB's decoder reads it", () => {
    const usnat = gppString({ usnat: { SaleOptOut: 2 } });
    expect(decide(usnat, "7")).toEqual(ALLOWED);
    expect(decide(`${usnat}${"A".repeat(64)}`, "7")).toEqual(denied("gpp section usnat is longer than 64 characters"));
  });

  it("returns a verdict for garbage, never throwing", () => {
    const text = fc.string({
      unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"),
      maxLength: 400,
    });
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ maxLength: 100 })), fc.constantFrom(undefined, "2", "5", "7", "2,5,6,7"), (s, sid) => {
        expect(typeof decide(s, sid).allowed).toBe("boolean");
        const withHeader = `${gppHeader([2, 5, 7])}~${s}`;
        expect(typeof decide(withHeader, sid).allowed).toBe("boolean");
      }),
      { numRuns: 400 },
    );
  });
});
