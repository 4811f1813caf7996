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

/** Segments of base64url separated by dots, none empty: the shape the IAB's decoder accepts. */
const SEGMENTS = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
/** Created, LastUpdated, CmpId, CmpVersion, ConsentScreen, ConsentLanguage, VendorListVersion, TcfPolicyVersion, IsServiceSpecific, UseNonStandardTexts, SpecialFeatureOptIns. */
const BEFORE_PURPOSES = 36 + 36 + 12 + 12 + 6 + 12 + 12 + 6 + 1 + 1 + 12;
/** PurposesLITransparency, PurposeOneTreatment, PublisherCC. */
const AFTER_PURPOSES = 24 + 1 + 12;
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
  return rangesHave(r, vendorId, false);
}

/** NumEntries, then entries of IsARange, StartOrOnlyVendorId and, for a range, EndVendorId. */
function rangesHave(r: BitReader, vendorId: number, strict: boolean): boolean {
  const entries = r.read(12);
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
 * @param text a whole TC string (core segment first; the other segments are checked for shape only)
 * @param vendorId the vendor whose consent and restrictions are read
 */
export function readTcCore(text: string, vendorId: number): TcCoreRead {
  const dot = text.indexOf(".");
  const r = SEGMENTS.test(text) ? BitReader.from(dot < 0 ? text : text.slice(0, dot)) : undefined;
  if (!r) return { ok: false, problem: "malformed" };
  try {
    const version = r.read(6);
    // Only versions 1 and 2 exist: anything else is not a TC string at all (as the IAB's decoder has it).
    if (version !== 1 && version !== 2) return { ok: false, problem: "malformed" };
    if (version === 1) return { ok: true, version, purposeConsents: 0, vendorConsent: false, restrictions: new Map() };
    r.skip(BEFORE_PURPOSES);
    const purposeConsents = r.read(24);
    r.skip(AFTER_PURPOSES);
    const vendorConsent = vendorSectionHas(r, vendorId);
    vendorSectionHas(r, vendorId); // the legitimate-interest section: never a basis here, but it sits before the restrictions
    const restrictions = new Map<number, number>();
    const count = r.read(12);
    if (count * (6 + 2 + 12) > r.remaining) throw new Truncated();
    for (let i = 0; i < count; i++) {
      const purpose = r.read(6);
      const type = r.read(2);
      if (rangesHave(r, vendorId, true)) restrictions.set(purpose, Math.min(type, restrictions.get(purpose) ?? type));
    }
    return { ok: true, version, purposeConsents, vendorConsent, restrictions };
  } catch (e) {
    return { ok: false, problem: e instanceof Truncated ? "truncated" : "malformed" };
  }
}
