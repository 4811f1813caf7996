/** Signed browser ids: `<uid>.<HMAC-SHA256(uid)>`, base64url, with a previous key accepted during rotation. */

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** Imported keys are cached per isolate: importKey is slower than the HMAC itself. */
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
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
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(uid));
  return `${uid}.${toBase64Url(new Uint8Array(sig))}`;
}

/**
 * Verifies a cookie value against the current secret, then the previous one.
 * `crypto.subtle.verify` compares in constant time.
 * @returns the uid, or undefined for a forged, garbled or foreign value.
 */
export async function verifyUid(value: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  return (await verifySignedUid(value, secrets))?.uid;
}

/**
 * Like verifyUid, and tells whether the value was signed with an older secret than the first,
 * so the caller can re-sign it: once every returning browser has a current signature, the old key can go.
 */
export async function verifySignedUid(value: string | undefined, secrets: readonly string[]): Promise<{ uid: string; stale: boolean } | undefined> {
  if (!value || value.length > 80) return undefined;
  const dot = value.indexOf(".");
  const uid = value.slice(0, dot);
  if (dot < 0 || !UID_PATTERN.test(uid)) return undefined;
  const sig = fromBase64Url(value.slice(dot + 1));
  if (!sig || sig.length !== 32) return undefined;
  for (const [i, secret] of secrets.entries()) {
    if (secret && (await crypto.subtle.verify("HMAC", await hmacKey(secret), sig, encoder.encode(uid)))) return { uid, stale: i > 0 };
  }
  return undefined;
}
