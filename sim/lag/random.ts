/** Seeded randomness for the simulations: a small fast generator, exponential gaps, Zipf ranks and stable hashes. */

export type Random = () => number;

/** mulberry32: fast, 32-bit state, and the same sequence for the same seed on every machine. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The gap to the next arrival of a Poisson process with this mean gap. */
export function exponential(random: Random, meanMs: number): number {
  return -Math.log(1 - random()) * meanMs;
}

/**
 * Draws ranks 0..n-1 with P(k) ∝ 1/(k+1)^s; s = 0 is uniform.
 * @example const user = zipf(1_000_000, 1, seeded(42)); user() // 0 most often
 */
export function zipf(n: number, s: number, random: Random): () => number {
  if (s === 0) return () => Math.floor(random() * n);
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / (k + 1) ** s;
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A number in [0, 1) fixed by its inputs: per-write, per-location delays without storing them. */
export function hashUnit(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return (h >>> 0) / 4294967296;
}
