/** Parses the contract's durations ("30m", "7d") into milliseconds. */

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Longest duration any rule or TTL may name: keeps per-user state bounded. */
export const MAX_DURATION_MS = 400 * UNIT_MS.d!;

/**
 * @returns milliseconds, or undefined when the text is not `<positive integer><s|m|h|d>` within 400 days.
 * @example parseDuration("7d") // 604800000
 */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^([1-9][0-9]{0,5})([smhd])$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms <= MAX_DURATION_MS ? ms : undefined;
}
