/**
 * HMAC-SHA-256 (RFC 2104 over FIPS 180-4) in plain JS, for checking cookie signatures synchronously: in workerd,
 * WebCrypto's `verify` of a 22-byte id costs several times as much (14-26 µs against ~3 µs, timed in a loop in workerd) and a promise.
 * Checked against WebCrypto in test/domain/hmac-sha256.test.ts; no branch or table index depends on key or message.
 */

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
/** The message schedule, reused: an isolate runs one call at a time. */
const W = new Int32Array(64);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** One 64-byte block, words m[at..at+15], into the state h. */
function compress(h: Int32Array, m: Int32Array, at: number): void {
  for (let i = 0; i < 16; i++) W[i] = m[at + i]!;
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!;
    const b = W[i - 2]!;
    W[i] = (W[i - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + W[i - 7]! + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10))) | 0;
  }
  let a = h[0]!,
    b = h[1]!,
    c = h[2]!,
    d = h[3]!,
    e = h[4]!,
    f = h[5]!,
    g = h[6]!,
    k = h[7]!;
  for (let i = 0; i < 64; i++) {
    const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}

/** SHA-256 of `bytes`, continuing from `state` which has already taken `before` bytes (a multiple of 64). */
function digest(state: Int32Array, before: number, bytes: Uint8Array): Int32Array {
  const h = state.slice();
  const blocks = (bytes.length + 9 + 63) >> 6;
  const m = new Int32Array(blocks * 16);
  for (let i = 0; i < bytes.length; i++) m[i >> 2]! |= bytes[i]! << (24 - 8 * (i & 3));
  m[bytes.length >> 2]! |= 0x80 << (24 - 8 * (bytes.length & 3));
  const bits = (before + bytes.length) * 8;
  m[blocks * 16 - 2] = Math.floor(bits / 2 ** 32);
  m[blocks * 16 - 1] = bits | 0;
  for (let b = 0; b < blocks; b++) compress(h, m, b * 16);
  return h;
}

function toBytes(words: Int32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  for (let i = 0; i < out.length; i++) out[i] = words[i >> 2]! >>> (24 - 8 * (i & 3));
  return out;
}

/** A key's inner and outer padded blocks, compressed once: each signature then costs two blocks for a short message. */
export interface HmacKey {
  inner: Int32Array;
  outer: Int32Array;
}

export function hmacKey(secret: Uint8Array): HmacKey {
  const key = secret.length > 64 ? toBytes(digest(IV, 0, secret)) : secret;
  const padded = (x: number) => {
    const m = new Int32Array(16);
    for (let i = 0; i < 64; i++) m[i >> 2]! |= ((key[i] ?? 0) ^ x) << (24 - 8 * (i & 3));
    const h = IV.slice();
    compress(h, m, 0);
    return h;
  };
  return { inner: padded(0x36), outer: padded(0x5c) };
}

export function hmacSha256(key: HmacKey, message: Uint8Array): Uint8Array {
  return toBytes(digest(key.outer, 64, toBytes(digest(key.inner, 64, message))));
}

/** Whether two byte strings are equal, in time that does not depend on where they differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
