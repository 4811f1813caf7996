/** Consent strings written field by field: lying counts, ranges over every vendor id, and the costliest strings within the edge's length limits. */
import { Sections } from "@iabgpp/cmpapi";
import { BitWriter } from "./bit-writer";

/** A vendor id, or a range of them (start, end). */
export type Entry = number | [number, number];

export interface TcCoreOptions {
  version?: number;
  purposes: number[];
  /** Vendor consents, range-encoded. */
  consent: Entry[];
  legitimateInterest?: Entry[];
  restrictions?: { purpose: number; type: number; entries: Entry[] }[];
  /** Overrides the vendor consents' NumEntries, to lie about it. */
  consentCount?: number;
  /** Overrides NumPubRestrictions, to lie about it. */
  restrictionCount?: number;
  cmpId?: number;
  /** PublisherCC's two 6-bit letters (0 = "A"). */
  country?: [number, number];
}

/** Every vendor id: one range the IAB's decoders walk id by id. */
export const ANY_VENDOR: [number, number] = [1, 65535];
/** The edge's limits (domain/consent/tcf.ts, gpp.ts). */
const MAX_TC = 4096;
const MAX_GPP = 8192;
/** Bits of a range entry in a TC string: IsARange, StartOrOnlyVendorId, EndVendorId. */
const RANGE_BITS = 33;

function entries(w: BitWriter, list: Entry[], count = list.length): void {
  w.int(count, 12);
  for (const e of list) {
    if (typeof e === "number") w.int(0, 1).int(e, 16);
    else w.int(1, 1).int(e[0], 16).int(e[1], 16);
  }
}

/** A TC string's core segment with range-encoded vendor sections, in the TCF v2.2 layout. */
export function tcCore(o: TcCoreOptions): string {
  const w = new BitWriter().int(o.version ?? 2, 6);
  // Created, LastUpdated, CmpId, CmpVersion, ConsentScreen, ConsentLanguage ("EN"), VendorListVersion, TcfPolicyVersion
  w.int(17_000_000_000, 36)
    .int(17_000_000_000, 36)
    .int(10, 12)
    .int(1, 12)
    .int(0, 6)
    .int(4 * 64 + 13, 12)
    .int(100, 12)
    .int(4, 6);
  w.int(1, 1).int(0, 1).int(0, 12); // IsServiceSpecific, UseNonStandardTexts, SpecialFeatureOptIns
  for (let p = 1; p <= 24; p++) w.int(o.purposes.includes(p) ? 1 : 0, 1);
  w.int(0, 24).int(0, 1).int(0, 12); // PurposesLITransparency, PurposeOneTreatment, PublisherCC
  w.int(65535, 16).int(1, 1);
  entries(w, o.consent, o.consentCount);
  w.int(65535, 16).int(1, 1);
  entries(w, o.legitimateInterest ?? []);
  const restrictions = o.restrictions ?? [];
  w.int(o.restrictionCount ?? restrictions.length, 12);
  for (const r of restrictions) entries(w.int(r.purpose, 6).int(r.type, 2), r.entries);
  return w.toBase64Url();
}

/**
 * The costliest TC string for the IAB's decoders within `maxChars`: consent for `purposes` and every vendor, then
 * a publisher restriction (require consent, which takes nothing away) on each of the 24 purposes, their range
 * entries each over every vendor id, as many as fit. A reader must walk it to the end to decide.
 */
export function worstTcString(purposes: number[], maxChars = MAX_TC): string {
  const empty = Array.from({ length: 24 }, (_, i) => ({ purpose: i + 1, type: 1, entries: [] as Entry[] }));
  const fixed = tcCore({ purposes, consent: [ANY_VENDOR], restrictions: empty }).length * 6;
  const ranges = Math.floor((maxChars * 6 - fixed) / RANGE_BITS);
  for (let i = 0; i < ranges; i++) empty[i % 24]!.entries.push(ANY_VENDOR);
  return tcCore({ purposes, consent: [ANY_VENDOR], restrictions: empty });
}

/** A GPP header listing `ids` (ascending), each as a single id. */
export function gppHeader(ids: number[]): string {
  const w = new BitWriter().int(3, 6).int(1, 6).int(ids.length, 12);
  let last = 0;
  for (const id of ids) {
    w.int(0, 1).fibonacci(id - last);
    last = id;
  }
  return w.toBase64Url();
}

/**
 * A tcfcav1 core segment (GPP layout: Fibonacci-coded vendor ranges) giving `purposes` express consent.
 * @param ranges vendor ranges (start, end), ascending and apart, for VendorExpressConsent
 */
export function tcfCaCore(purposes: number[], ranges: [number, number][]): string {
  const w = new BitWriter().int(1, 6);
  w.int(17_000_000_000, 36)
    .int(17_000_000_000, 36)
    .int(10, 12)
    .int(1, 12)
    .int(0, 6)
    .int(4 * 64 + 13, 12)
    .int(100, 12)
    .int(2, 6);
  w.int(0, 1).int(0, 12);
  for (let p = 1; p <= 24; p++) w.int(purposes.includes(p) ? 1 : 0, 1);
  w.int(0, 24);
  w.int(65535, 16).int(1, 1).int(ranges.length, 12);
  let last = 0;
  for (const [start, end] of ranges) {
    w.int(1, 1)
      .fibonacci(start - last)
      .fibonacci(end - start);
    last = end;
  }
  w.int(0, 16).int(0, 1); // VendorImpliedConsent: none
  w.int(0, 12); // PubRestrictions: none
  return w.toBase64Url();
}

/** The US national and state sections' ids, from the IAB's own list. */
const US_SECTIONS = [...Sections.SECTION_ID_NAME_MAP].filter(([, name]) => name.startsWith("us") && name !== "uspv1").map(([id]) => id);
/** The edge's bound on a US section's length (domain/consent/gpp.ts). */
const MAX_US_SECTION = 64;

/**
 * The costliest GPP string within the limit that a reader must read to the end, every section allowing us:
 * tcfeuv2 as worstTcString (4096 characters), every US national and state section at the longest the edge
 * accepts (all fields 0: not applicable), and tcfcav1 with as many Fibonacci-coded ranges as fit in the rest,
 * the first covering every id up to 2^40 (which the IAB's decoder would expand id by id).
 */
export function worstGppString(purposes: number[]): string {
  const header = gppHeader([2, 5, ...US_SECTIONS]);
  const eu = worstTcString(purposes);
  const us = US_SECTIONS.map(() => "A".repeat(MAX_US_SECTION));
  const budget = MAX_GPP - header.length - eu.length - us.join("~").length - 3;
  const ranges: [number, number][] = [[1, 2 ** 40]];
  // Each further range (offsets 1 and 1: "1", "11", "11") costs 5 bits; padding to 24 bits may add 3 characters.
  const fits = Math.min(4094, Math.floor(((budget - 4) * 6 - tcfCaCore(purposes, ranges).length * 6) / 5));
  for (let i = 0; i < fits; i++) {
    const last = ranges.at(-1)![1];
    ranges.push([last + 1, last + 2]);
  }
  return [header, eu, tcfCaCore(purposes, ranges), ...us].join("~");
}
