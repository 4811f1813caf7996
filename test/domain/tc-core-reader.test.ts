/** The bounded TC string reader: the same verdicts as the IAB's decoder on strings it builds, and bounded work on strings built to hurt. */
import { GVL, PurposeRestriction, RestrictionType, TCModel, TCString } from "@iabtechlabtcf/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BitReader } from "../../domain/consent/bit-reader";
import { tcfVerdict } from "../../domain/consent/tcf";
import { ALLOWED, type ConsentPolicy, type ConsentVerdict, denied } from "../../domain/consent/verdict";
import { ANY_VENDOR, tcCore, worstTcString } from "../support/adversarial-consent";
import { globalVendorList } from "../support/global-vendor-list";

const WHERE = "gdpr_consent";
const VENDORS = 400;
const gvlJson = globalVendorList(Array.from({ length: VENDORS }, (_, i) => i + 1));

/** The rule as it read before the bounded reader, on the maintained IAB decoder: the oracle. */
function oracleVerdict(s: string, policy: ConsentPolicy): ConsentVerdict {
  let tc: TCModel;
  try {
    tc = TCString.decode(s);
  } catch {
    return denied(`${WHERE} is not a valid TC string`);
  }
  if (Number(tc.version) !== 2) return denied(`${WHERE} is not a TCF v2 string`);
  if (!tc.vendorConsents.has(policy.vendorId)) return denied(`${WHERE} gives vendor ${policy.vendorId} no consent`);
  for (const p of policy.purposes) {
    if (!tc.purposeConsents.has(p)) return denied(`${WHERE} gives no consent for purpose ${p}`);
    const r = tc.publisherRestrictions.getRestrictionType(policy.vendorId, p);
    if (r === RestrictionType.NOT_ALLOWED || r === RestrictionType.REQUIRE_LI)
      return denied(`${WHERE} restricts purpose ${p} for vendor ${policy.vendorId}`);
  }
  return ALLOWED;
}

/** Our verdict as the oracle words it: it has one reason for every string it cannot read, where we tell a cut string apart. */
const asOracle = (v: ConsentVerdict): ConsentVerdict =>
  !v.allowed && v.reason === `${WHERE} is a truncated TC string` ? denied(`${WHERE} is not a valid TC string`) : v;

/** The verdict, and the reads it took, which must stay within the string's bits. */
function decide(s: string, policy: ConsentPolicy): ConsentVerdict {
  const before = BitReader.steps;
  const v = tcfVerdict(s, policy, WHERE);
  expect(BitReader.steps - before).toBeLessThanOrEqual(s.length * 6);
  return v;
}

const run = fc.tuple(fc.integer({ min: 1, max: VENDORS }), fc.integer({ min: 1, max: 30 }));
const content = fc.record({
  runs: fc.array(run, { maxLength: 6 }),
  singles: fc.uniqueArray(fc.integer({ min: 1, max: VENDORS }), { maxLength: 8 }),
  purposes: fc.uniqueArray(fc.integer({ min: 1, max: 11 }), { maxLength: 11 }),
  restrictions: fc.array(fc.tuple(run, fc.integer({ min: 1, max: 11 }), fc.constantFrom(0, 1, 2)), { maxLength: 5 }),
  vendorId: fc.integer({ min: 1, max: VENDORS + 10 }),
  needed: fc.uniqueArray(fc.integer({ min: 1, max: 11 }), { minLength: 1, maxLength: 4 }),
});
const ids = ([start, length]: [number, number]) => Array.from({ length }, (_, i) => start + i).filter((v) => v <= VENDORS);

describe("the bounded TC string reader", () => {
  it("decides as the IAB's decoder does on the strings it builds (vendor runs, purposes, restrictions)", () => {
    fc.assert(
      fc.property(content, (c) => {
        const model = new TCModel(new GVL(gvlJson as never));
        model.cmpId = 10;
        model.cmpVersion = 1;
        model.isServiceSpecific = true;
        model.vendorConsents.set([...c.runs.flatMap(ids), ...c.singles]);
        model.purposeConsents.set(c.purposes);
        for (const [r, purpose, type] of c.restrictions) {
          for (const v of ids(r)) model.publisherRestrictions.add(v, new PurposeRestriction(purpose, type));
        }
        const s = TCString.encode(model);
        const policy = { vendorId: c.vendorId, purposes: c.needed };
        expect(asOracle(decide(s, policy))).toEqual(oracleVerdict(s, policy));
      }),
      { numRuns: 300 },
    );
  });

  it("compares range ends with our id and never walks them: every vendor id, hundreds of times, within 4096 characters", () => {
    const worst = worstTcString([1, 3, 4]);
    expect(worst.length).toBeLessThanOrEqual(4096);
    expect(decide(worst, { vendorId: 42, purposes: [1, 3, 4] })).toEqual(ALLOWED);
    expect(decide(worst, { vendorId: 65535, purposes: [1, 3, 4, 5] })).toEqual(denied(`${WHERE} gives no consent for purpose 5`));
    const restricted = tcCore({
      purposes: [1, 3, 4],
      consent: [ANY_VENDOR],
      restrictions: [{ purpose: 3, type: 0, entries: [ANY_VENDOR] }],
    });
    expect(decide(restricted, { vendorId: 777, purposes: [1, 3] })).toEqual(denied(`${WHERE} restricts purpose 3 for vendor 777`));
    const elsewhere = tcCore({
      purposes: [1],
      consent: [
        [1, 41],
        [43, 65535],
      ],
    });
    expect(decide(elsewhere, { vendorId: 42, purposes: [1] })).toEqual(denied(`${WHERE} gives vendor 42 no consent`));
  });

  it("refuses counts the string has no bits for before reading a single entry", () => {
    const policy = { vendorId: 42, purposes: [1] };
    const truncated = denied(`${WHERE} is a truncated TC string`);
    for (const s of [
      tcCore({ purposes: [1], consent: [42], consentCount: 4095 }),
      tcCore({ purposes: [1], consent: [42], restrictionCount: 4095 }),
      tcCore({ purposes: [1], consent: [42], restrictions: [{ purpose: 1, type: 1, entries: [ANY_VENDOR] }], restrictionCount: 4095 }),
    ]) {
      const before = BitReader.steps;
      expect(tcfVerdict(s, policy, WHERE)).toEqual(truncated);
      // The version, the fields before the vendor sections, and the counts: a few dozen reads at most.
      expect(BitReader.steps - before).toBeLessThan(40);
    }
  });

  it("reads a string cut at every position as truncated or invalid, never throwing, within its bits", () => {
    const policy = { vendorId: 42, purposes: [1, 3, 4] };
    const full = tcCore({ purposes: [1, 3, 4], consent: [[40, 50]], restrictions: [{ purpose: 4, type: 1, entries: [[1, 100], 7] }] });
    expect(decide(full, policy)).toEqual(ALLOWED);
    for (let n = 0; n < full.length; n++) {
      const v = decide(full.slice(0, n), policy);
      expect(v.allowed, `cut at ${n}`).toBe(false);
    }
    const worst = worstTcString([1, 3, 4]);
    for (let n = 0; n < worst.length; n += 7) expect(decide(worst.slice(0, n), policy).allowed).toBe(false);
  });

  it("agrees with the IAB's decoder on strings cut from one it built", () => {
    const model = new TCModel(new GVL(gvlJson as never));
    model.cmpId = 10;
    model.vendorConsents.set([42, 43, 44, 45, 300]);
    model.purposeConsents.set([1, 3, 4]);
    model.publisherRestrictions.add(44, new PurposeRestriction(3, RestrictionType.NOT_ALLOWED));
    model.publisherConsents.set([1, 3]);
    model.numCustomPurposes = 2;
    const s = TCString.encode(model);
    expect(s.split(".").length).toBeGreaterThan(2);
    for (const vendorId of [42, 44]) {
      const policy = { vendorId, purposes: [1, 3] };
      for (let n = 1; n <= s.length; n++) {
        const cut = s.slice(0, n);
        expect(asOracle(decide(cut, policy)), `cut at ${n}`).toEqual(oracleVerdict(cut, policy));
      }
    }
  });

  it("agrees with the IAB's decoder on hand-written strings at the edges of the format", () => {
    const policy = { vendorId: 42, purposes: [1, 3] };
    const core = tcCore({ purposes: [1, 3], consent: [42] });
    const strings = [
      core,
      tcCore({ purposes: [1, 3], consent: [42], cmpId: 0 }),
      tcCore({ purposes: [1, 3], consent: [42], cmpId: 1 }),
      tcCore({ purposes: [1, 3], consent: [42], cmpId: 2 }),
      tcCore({ purposes: [1, 3], consent: [42], country: [57, 57] }),
      tcCore({ purposes: [1, 3], consent: [42], country: [58, 0] }),
      tcCore({ purposes: [1, 3], consent: [42], country: [0, 63] }),
      ...[0, 1, 2, 3].flatMap((type) =>
        [0, 3, 25, 63].map((purpose) =>
          tcCore({ purposes: [1, 3], consent: [42], restrictions: [{ purpose, type, entries: [[40, 44]] }] }),
        ),
      ),
      tcCore({ purposes: [1, 3], consent: [42], restrictions: [{ purpose: 0, type: 3, entries: [] }] }),
      tcCore({
        purposes: [1, 3],
        consent: [42],
        restrictions: [
          { purpose: 3, type: 1, entries: [1] },
          { purpose: 3, type: 2, entries: [42] },
        ],
      }),
      tcCore({
        purposes: [1, 3],
        consent: [42],
        restrictions: [
          { purpose: 3, type: 2, entries: [1] },
          { purpose: 3, type: 1, entries: [42] },
        ],
      }),
      tcCore({ purposes: [1, 3], consent: [[42, 42]], legitimateInterest: [[9, 3], 42] }),
      ...["IAAA", "QAAA", "IAAB", "IABAA", "IAEAA", "YAAA", "YAAAAAAAAA", "YAAAAAAAAg", "gAAA", "AAAA", "-AAA"].map(
        (segment) => `${core}.${segment}`,
      ),
    ];
    for (const s of strings) expect(asOracle(decide(s, policy)), s).toEqual(oracleVerdict(s, policy));
  });

  it("returns a verdict for garbage: any characters, base64url noise, dots, a wrong version", () => {
    const policy = { vendorId: 42, purposes: [1] };
    const base64url = fc.string({
      unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      maxLength: 600,
    });
    fc.assert(
      fc.property(fc.oneof(base64url, fc.string({ maxLength: 200 })), (s) => {
        expect(decide(s, policy).allowed).toBe(false);
      }),
      { numRuns: 500 },
    );
    expect(decide(tcCore({ version: 1, purposes: [1], consent: [42] }), policy)).toEqual(denied(`${WHERE} is not a TCF v2 string`));
    expect(decide(tcCore({ version: 3, purposes: [1], consent: [42] }), policy)).toEqual(denied(`${WHERE} is not a valid TC string`));
    expect(decide(`${tcCore({ purposes: [1], consent: [42] })}==`, policy)).toEqual(denied(`${WHERE} is not a valid TC string`));
    // A backward range: ignored in a vendor section, refused in a restriction (as the IAB's decoder does).
    expect(decide(tcCore({ purposes: [1], consent: [[50, 40], 42] }), policy)).toEqual(ALLOWED);
    const backward = tcCore({ purposes: [1], consent: [42], restrictions: [{ purpose: 1, type: 1, entries: [[50, 40]] }] });
    expect(decide(backward, policy)).toEqual(denied(`${WHERE} is not a valid TC string`));
  });
});
