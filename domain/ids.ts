/** Signed browser ids: `<uid>.<HMAC-SHA256(uid)>`, base64url, with a previous key accepted during rotation. */
import { equalBytes, hmacKey as macKey, hmacSha256, type HmacKey } from "./hmac-sha256";

const encoder = new TextEncoder();
/** Signing keys (WebCrypto), per secret: only new browsers' ids (and ids re-signed after a rotation) are signed, so signing stays on the platform's HMAC. */
const signingKeys = new Map<string, Promise<CryptoKey>>();

function signingKey(secret: string): Promise<CryptoKey> {
  let key = signingKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    signingKeys.set(secret, key);
    void key.catch(() => signingKeys.delete(secret));
  }
  return key;
}

/** Checking keys (plain JS HMAC), per secret: every returning browser's cookie is checked, synchronously. */
const checkingKeys = new Map<string, HmacKey>();

function checkingKey(secret: string): HmacKey {
  let key = checkingKeys.get(secret);
  if (!key) checkingKeys.set(secret, (key = macKey(encoder.encode(secret))));
  return key;
}

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

export function newUid(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export async function signUid(uid: string, secret: string): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await signingKey(secret), encoder.encode(uid));
  return `${uid}.${toBase64Url(new Uint8Array(sig))}`;
}

/**
 * Verifies a cookie value against the current secret, then the previous one; the signatures are compared in
 * constant time.
 * @returns the uid, or undefined for a forged, garbled or foreign value.
 */
export function verifyUid(value: string | undefined, secrets: readonly string[]): string | undefined {
  return verifySignedUid(value, secrets)?.uid;
}

/**
 * Like verifyUid, and tells whether the value was signed with an older secret than the first,
 * so the caller can re-sign it: once every returning browser has a current signature, the old key can go.
 */
export function verifySignedUid(value: string | undefined, secrets: readonly string[]): { uid: string; stale: boolean } | undefined {
  if (!value || value.length > 80) return undefined;
  const dot = value.indexOf(".");
  const uid = value.slice(0, dot);
  if (dot < 0 || !UID_PATTERN.test(uid)) return undefined;
  const sig = fromBase64Url(value.slice(dot + 1));
  if (!sig || sig.length !== 32) return undefined;
  const message = encoder.encode(uid);
  for (const [i, secret] of secrets.entries()) {
    if (secret && equalBytes(hmacSha256(checkingKey(secret), message), sig)) return { uid, stale: i > 0 };
  }
  return undefined;
}
