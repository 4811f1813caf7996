/** Declared ids: a hashed e-mail or a publisher's own id, as the page sends them to `/v1/identify`; never a raw address. */
import { UdnError } from "../input-error";

export type DeclaredKind = "sha256_email" | "ppid";

export interface DeclaredId {
  kind: DeclaredKind;
  value: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const PPID = /^[A-Za-z0-9._:-]{1,150}$/;
export const MAX_IDENTIFY_BYTES = 1024;
const RAW_ADDRESS = "send sha256_email (the SHA-256 hex of the trimmed, lower-cased address), never the address";

/** The body of `/v1/identify`, checked: exactly one of `sha256_email` or `ppid`. A raw address anywhere is refused. */
export function parseDeclaredId(text: string): DeclaredId {
  // Refused before parsing, so no address is ever held in a parsed value or named in an error.
  if (text.includes("@")) throw new UdnError(400, RAW_ADDRESS);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UdnError(400, "body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new UdnError(400, 'body must be {"sha256_email":…} or {"ppid":…}');
  const b = body as Record<string, unknown>;
  if ("email" in b) throw new UdnError(400, RAW_ADDRESS);
  const keys = Object.keys(b);
  if (keys.length !== 1 || (keys[0] !== "sha256_email" && keys[0] !== "ppid"))
    throw new UdnError(400, 'body must hold exactly one of "sha256_email" or "ppid"');
  if (b.sha256_email !== undefined) {
    const v = typeof b.sha256_email === "string" ? b.sha256_email.toLowerCase() : "";
    if (!SHA256_HEX.test(v)) throw new UdnError(400, "sha256_email must be 64 hex characters (a SHA-256 digest)");
    return { kind: "sha256_email", value: v };
  }
  if (typeof b.ppid !== "string" || !PPID.test(b.ppid)) throw new UdnError(400, `ppid must match ${PPID.source}`);
  return { kind: "ppid", value: b.ppid };
}

/** The name of the declared id's own object, which holds the person's uid (and its tombstone after an erasure). */
export function declaredKey(d: DeclaredId): string {
  return `${d.kind}:${d.value}`;
}
