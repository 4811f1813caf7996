// Benchmark identities: deterministic 22-character uids, signed cookies as the edge signs them, a Zipf sampler.
import { createHash, createHmac } from "node:crypto";

/** A uid shaped like the ones the edge mints (128 bits, base64url), derived from a label. */
export function uidFor(label) {
  return createHash("sha256").update(label).digest().subarray(0, 16).toString("base64url");
}

export function cookieFor(uid, secret) {
  return `udn_id=${uid}.${createHmac("sha256", secret).update(uid).digest("base64url")}`;
}

/** Draws ranks 0..n-1 with P(k) ∝ 1/(k+1)^s, from a seeded generator so every run sees the same sequence. */
export function zipf(n, s, seed = 42) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / (k + 1) ** s;
  let x = seed >>> 0;
  const random = () => {
    // xorshift32: fast and reproducible.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * A client address for request i, from the documentation ranges (RFC 5737): only ever a header value,
 * so the per-IP rate limit sees many clients as in production, where one IP is one browser or NAT.
 */
export function clientIp(i) {
  return `${i % 2 ? "203.0.113" : "198.51.100"}.${((i >> 1) % 250) + 1}`;
}
