/** The declared ids `udn.identify()` sends: a SHA-256 of the person's email address, or the publisher's own user id; never an address. */

/** What a page passes to `udn.identify()`: exactly one of the two. */
export interface DeclaredId {
  /** SHA-256 hex of the trimmed, lower-cased address, computed by the page. */
  sha256_email?: string;
  /** The publisher's own id for the signed-in person. */
  ppid?: string;
}

/** Why an address is refused: the page hashes it; the tag never sends it, not even to have the edge refuse it. */
export const NEVER_AN_ADDRESS = "send sha256_email, never the address";
export const ONE_ID = "pass {sha256_email: 64 hex characters} or {ppid}";

/** Exactly one id as the edge takes it (the identity contract's patterns), as JSON text: the body is checked as it will be sent. */
const BODY = /^\{"(sha256_email":"[0-9a-f]{64}|ppid":"[A-Za-z0-9._:-]{1,150})"\}$/;

/**
 * The `POST /v1/identify` body for what the page passed (sha256_email lower-cased), or an `Error` saying why
 * nothing may be sent. Anything that looks like an address (an `email` field, an "@" in any value) is refused first.
 */
export function identifyBody(id: unknown): string | Error {
  let text: string | undefined;
  try {
    text = JSON.stringify(id, (k, v) => (k === "sha256_email" && typeof v === "string" ? v.toLowerCase() : v));
  } catch {}
  // A key in JSON text is the one place `"email":` can appear: a quote inside a value is escaped.
  return /@|"email":/.test(text!) ? Error(NEVER_AN_ADDRESS) : BODY.test(text!) ? text! : Error(ONE_ID);
}
