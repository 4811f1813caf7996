/** Browser ids: minted uids, and cookie values `<uid>.<HMAC-SHA256(uid)>` in base64url, signed and checked with given keys. */
import { equalBytes, type HmacKey, hmacKey, hmacSha256 } from "./hmac-sha256";
import { UdnError } from "./input-error";

const encoder = new TextEncoder();

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Each character's 6 bits, or -1 for a character outside base64url. */
const SEXTETS = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTETS[ALPHABET.charCodeAt(i)] = i;

/**
 * Unpadded base64url, decoded by table: every new browser's cookie comes through here, and a regex, two
 * replaces and atob cost several times more. Trailing bits must be zero, as the encoder leaves them.
 */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array((text.length * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? SEXTETS[code]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  if (acc & ((1 << bits) - 1)) return undefined;
  return out;
}

/** A uid as minted here: 128 random bits, base64url (22 characters). */
export const UID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** S2S callers may name uids minted elsewhere too, so their ids are only bounded and charset-checked. */
export const ANY_UID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A uid a caller named (path or body), checked against ANY_UID_PATTERN.
 * @param where names it in the 400's message, e.g. "uid" or "uids[3]"
 */
export function checkedUid(value: unknown, where: string): string {
  if (typeof value !== "string" || !ANY_UID_PATTERN.test(value)) throw new UdnError(400, `${where} must match ${ANY_UID_PATTERN.source}`);
  return value;
}

export function newUid(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** A secret's key for checking signatures (plain JS, synchronous). */
export function checkingKey(secret: string): HmacKey {
  return hmacKey(encoder.encode(secret));
}

/** A secret's key for signing (WebCrypto): only new browsers' ids, and ids re-signed after a rotation, are signed. */
export function signingKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** `<uid>.<signature>`, the cookie value. */
export async function signUidWith(uid: string, key: CryptoKey): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", key, encoder.encode(uid));
  return `${uid}.${toBase64Url(new Uint8Array(sig))}`;
}

/**
 * Verifies a cookie value against each key in turn (the current secret's first); signatures are compared in constant
 * time. `stale` tells that an older key signed it, so the caller can re-sign it: once every returning browser has a
 * current signature, the old key can go.
 * @returns undefined for a forged, garbled or foreign value
 */
export function verifySignedUidWith(value: string | undefined, keys: readonly HmacKey[]): { uid: string; stale: boolean } | undefined {
  if (!value || value.length > 80) return undefined;
  const dot = value.indexOf(".");
  const uid = value.slice(0, dot);
  if (dot < 0 || !UID_PATTERN.test(uid)) return undefined;
  const sig = fromBase64Url(value.slice(dot + 1));
  if (sig?.length !== 32) return undefined;
  const message = encoder.encode(uid);
  for (const [i, key] of keys.entries()) {
    if (equalBytes(hmacSha256(key, message), sig)) return { uid, stale: i > 0 };
  }
  return undefined;
}
