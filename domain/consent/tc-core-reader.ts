/** Reads from a TC string's core segment (TCF v2.2) only what the consent rule needs, in one pass that never expands a vendor range. */
import { BitReader, Truncated } from "./bit-reader";

/** What the rule needs from a core segment, for one vendor. */
export interface TcCore {
  version: number;
  /** PurposesConsent: bit 23 is purpose 1, bit 0 purpose 24. */
  purposeConsents: number;
  vendorConsent: boolean;
  /** Purpose → the lowest publisher restriction type naming the vendor for it (0 not allowed, 1 require consent, 2 require LI). */
  restrictions: ReadonlyMap<number, number>;
}

export type TcCoreRead = ({ ok: true } & TcCore) | { ok: false; problem: "malformed" | "truncated" };

/**
 * Segments of base64url separated by dots, none empty: the core segment, then optional ones whose 3-bit type
 * is 1-3 (disclosed vendors, allowed vendors, publisher TC: first character I-f). The IAB's decoder refuses
 * other types, and would read a second core segment over the first.
 */
const SEGMENTS = /^[A-Za-z0-9_-]+(?:\.[I-Za-f][A-Za-z0-9_-]*)*$/;
/** Created, LastUpdated. */
const BEFORE_CMP_ID = 36 + 36;
/** CmpVersion, ConsentScreen, ConsentLanguage, VendorListVersion, TcfPolicyVersion, IsServiceSpecific, UseNonStandardTexts, SpecialFeatureOptIns. */
const BEFORE_PURPOSES = 12 + 6 + 12 + 12 + 6 + 1 + 1 + 12;
/** PurposesLITransparency, PurposeOneTreatment. */
const BEFORE_COUNTRY = 24 + 1;
/** A letter is 6 bits from "A"; the IAB's decoder refuses a country code beyond "z" (57). */
const LAST_LETTER = 57;
const ID = 16;

class Malformed extends Error {}

/**
 * Whether a vendor section (MaxVendorId, IsRangeEncoding, then a bit field or range entries) names `vendorId`.
 * A range is compared by its ends, never walked; every count is checked against the bits left before its loop.
 */
function vendorSectionHas(r: BitReader, vendorId: number): boolean {
  const maxVendorId = r.read(16);
  if (r.read(1) === 0) {
    if (maxVendorId > r.remaining) throw new Truncated();
    const has = vendorId >= 1 && vendorId <= maxVendorId && r.peek(vendorId - 1) === 1;
    r.skip(maxVendorId);
    return has;
  }
  return rangesHave(r, vendorId, r.read(12), false);
}

/** `entries` entries (NumEntries, already read) of IsARange, StartOrOnlyVendorId and, for a range, EndVendorId. */
function rangesHave(r: BitReader, vendorId: number, entries: number, strict: boolean): boolean {
  if (entries * (1 + ID) > r.remaining) throw new Truncated();
  let has = false;
  for (let i = 0; i < entries; i++) {
    const isRange = r.read(1) === 1;
    const start = r.read(ID);
    const end = isRange ? r.read(ID) : start;
    // The IAB's decoder rejects a backward range in a restriction (and ignores one in a vendor section).
    if (strict && end < start) throw new Malformed();
    if (start <= vendorId && vendorId <= end) has = true;
  }
  return has;
}

/**
 * Walks an optional segment as the IAB's decoder would read it, so that a string it refuses is refused here too:
 * disclosed or allowed vendors (a vendor section), or publisher TC (PubPurposesConsent, PubPurposesLITransparency,
 * NumCustomPurposes, then two bit fields of that length).
 */
function walkOptionalSegment(segment: string): void {
  const r = BitReader.from(segment);
  if (!r) throw new Malformed();
  const type = r.read(3);
  if (type === 3) {
    r.skip(24 + 24);
    r.skip(2 * r.read(6));
  } else {
    vendorSectionHas(r, 0);
  }
}

/**
 * @param text a whole TC string (core segment first; the optional segments take no part, and are walked for validity)
 * @param vendorId the vendor whose consent and restrictions are read
 */
export function readTcCore(text: string, vendorId: number): TcCoreRead {
  const [core = "", ...optional] = SEGMENTS.test(text) ? text.split(".") : [];
  const r = BitReader.from(core);
  if (!r || core === "") return { ok: false, problem: "malformed" };
  try {
    const version = r.read(6);
    // Only versions 1 and 2 exist: anything else is not a TC string at all (as the IAB's decoder has it).
    if (version !== 1 && version !== 2) return { ok: false, problem: "malformed" };
    if (version === 1) return { ok: true, version, purposeConsents: 0, vendorConsent: false, restrictions: new Map() };
    r.skip(BEFORE_CMP_ID);
    // The IAB's decoder refuses CMP ids 0 and 1 (none is assigned).
    if (r.read(12) < 2) throw new Malformed();
    r.skip(BEFORE_PURPOSES);
    const purposeConsents = r.read(24);
    r.skip(BEFORE_COUNTRY);
    if (r.read(6) > LAST_LETTER || r.read(6) > LAST_LETTER) throw new Malformed();
    const vendorConsent = vendorSectionHas(r, vendorId);
    vendorSectionHas(r, vendorId); // the legitimate-interest section: never a basis here, but it sits before the restrictions
    const restrictions = new Map<number, number>();
    const count = r.read(12);
    if (count * (6 + 2 + 12) > r.remaining) throw new Truncated();
    for (let i = 0; i < count; i++) {
      const purpose = r.read(6);
      const type = r.read(2);
      const entries = r.read(12);
      // Purpose 0 and type 3 mean nothing: the IAB's decoder refuses such a restriction once it names a vendor.
      if ((purpose === 0 || type === 3) && entries > 0) throw new Malformed();
      if (rangesHave(r, vendorId, entries, true)) restrictions.set(purpose, Math.min(type, restrictions.get(purpose) ?? type));
    }
    for (const segment of optional) walkOptionalSegment(segment);
    return { ok: true, version, purposeConsents, vendorConsent, restrictions };
  } catch (e) {
    return { ok: false, problem: e instanceof Truncated ? "truncated" : "malformed" };
  }
}
