/** Reads a GPP header (Type 3, Version 1, a Fibonacci-coded range list of section ids) into the ids in the order their sections follow. */
import { BitReader } from "./bit-reader";

/**
 * The header lists one id per section that follows it, in order; ids only grow (each is an offset from the last).
 * A range is expanded only while the ids it adds still fit `sections`, so the work stays below the string's length.
 * @param header the text before the first "~"
 * @param sections how many sections the string holds after its header
 * @returns the section ids, or undefined when the header cannot be read or does not list exactly `sections` ids
 */
export function readGppHeader(header: string, sections: number): number[] | undefined {
  const r = BitReader.from(header);
  if (!r) return undefined;
  try {
    if (r.read(6) !== 3 || r.read(6) !== 1) return undefined;
    const entries = r.read(12);
    // An entry takes at least 3 bits (IsRange and the shortest code word, "11") and names at least one section.
    if (entries * 3 > r.remaining || entries > sections) return undefined;
    const ids: number[] = [];
    let last = 0;
    for (let i = 0; i < entries; i++) {
      const isRange = r.read(1) === 1;
      const start = last + r.fibonacci();
      const end = isRange ? start + r.fibonacci() : start;
      if (ids.length + (end - start + 1) > sections) return undefined;
      for (let id = start; id <= end; id++) ids.push(id);
      last = end;
    }
    return ids.length === sections ? ids : undefined;
  } catch {
    return undefined;
  }
}
