/** Reads from a GPP TCF Canada section (tcfcav1) what the consent rule needs, in one pass that never expands a vendor range. */
import { BitReader, Truncated } from "./bit-reader";

export interface TcfCaCore {
  /** PurposesExpressConsent and PurposesImpliedConsent: bit 23 is purpose 1. */
  purposesExpress: number;
  purposesImplied: number;
  /** Whether VendorExpressConsent or VendorImpliedConsent names the vendor. */
  vendorConsent: boolean;
}

/** Segments of base64url separated by dots: the core segment first (A-H: its version is under 8), then disclosed vendors (I-P) or publisher purposes (Y-f). */
const SECTION = /^[A-H][A-Za-z0-9_-]*(?:\.[I-PY-Za-f][A-Za-z0-9_-]*)*$/;
/** Created, LastUpdated, CmpId, CmpVersion, ConsentScreen, ConsentLanguage, VendorListVersion, TcfPolicyVersion, UseNonStandardStacks, SpecialFeatureExpressConsent. */
const BEFORE_PURPOSES = 36 + 36 + 12 + 12 + 6 + 12 + 12 + 6 + 1 + 12;
/** The encoder pads a segment to a multiple of 24 bits: more left over means the layout was not this one. */
const MAX_PADDING = 23;

/** An OptimizedRange (MaxId 16, IsRange 1, then a bit field or a Fibonacci-coded range list): whether it names `vendorId`. */
function optimizedRangeHas(r: BitReader, vendorId: number): boolean {
  const maxId = r.read(16);
  if (r.read(1) === 0) {
    if (maxId > r.remaining) throw new Truncated();
    const has = vendorId >= 1 && vendorId <= maxId && r.peek(vendorId - 1) === 1;
    r.skip(maxId);
    return has;
  }
  const entries = r.read(12);
  // An entry takes at least 3 bits: IsRange and the shortest code word ("11").
  if (entries * 3 > r.remaining) throw new Truncated();
  let has = false;
  let last = 0;
  for (let i = 0; i < entries; i++) {
    const isRange = r.read(1) === 1;
    const start = last + r.fibonacci();
    const end = isRange ? start + r.fibonacci() : start;
    if (start <= vendorId && vendorId <= end) has = true;
    last = end;
  }
  return has;
}

/**
 * The core segment in the GPP specification's layout (Fibonacci-coded vendor ranges). Strings from encoders
 * that wrote fixed-width ranges instead do not fit it to the last bits, and are refused rather than guessed at.
 * @returns undefined when the section cannot be read
 */
export function readTcfCaCore(section: string, vendorId: number): TcfCaCore | undefined {
  if (!SECTION.test(section)) return undefined;
  const dot = section.indexOf(".");
  const r = BitReader.from(dot < 0 ? section : section.slice(0, dot));
  if (!r) return undefined;
  try {
    r.skip(6 + BEFORE_PURPOSES);
    const purposesExpress = r.read(24);
    const purposesImplied = r.read(24);
    const express = optimizedRangeHas(r, vendorId);
    const implied = optimizedRangeHas(r, vendorId);
    // PubRestrictions (not part of the rule) are walked so that the whole segment is accounted for.
    const restrictions = r.read(12);
    if (restrictions * (6 + 2 + 17) > r.remaining) return undefined;
    for (let i = 0; i < restrictions; i++) {
      r.skip(6 + 2);
      optimizedRangeHas(r, vendorId);
    }
    if (r.remaining > MAX_PADDING) return undefined;
    return { purposesExpress, purposesImplied, vendorConsent: express || implied };
  } catch {
    return undefined;
  }
}
