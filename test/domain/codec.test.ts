/** Pure codecs: the KV profile record, signed ids (signing, checking, rotation), durations. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../domain/duration";
import { checkingKey, newUid, signingKey, signUidWith, UID_PATTERN, verifySignedUidWith } from "../../domain/ids";
import { decodeProfile, encodeProfile, type Profile } from "../../domain/profile-record";

describe("profile record", () => {
  it("round-trips segments grouped by taxonomy, at id length plus one byte each", () => {
    const p: Profile = { ts: 1700000000123, segments: [{ id: "806", taxonomy: 4 }, { id: "rt-1" }, { id: "607", taxonomy: 4 }] };
    const text = encodeProfile(p);
    expect(text).toBe("1|1700000000123|4:806,607;:rt-1");
    expect(decodeProfile(text)).toEqual({ ts: p.ts, segments: [{ id: "806", taxonomy: 4 }, { id: "607", taxonomy: 4 }, { id: "rt-1" }] });
    expect(decodeProfile(encodeProfile({ ts: 5, segments: [] }))).toEqual({ ts: 5, segments: [] });
  });
  it("refuses records of another format version", () => {
    expect(decodeProfile("2|5|4:1")).toBeUndefined();
    expect(decodeProfile("garbage")).toBeUndefined();
  });
});

/** Signs with a secret's WebCrypto key, as the edge signs new ids. */
async function signUid(uid: string, secret: string): Promise<string> {
  return signUidWith(uid, await signingKey(secret));
}

/** Checks with the plain-JS keys of the secrets, as the edge checks cookies. */
function verifyUid(value: string, secrets: string[]): string | undefined {
  return verifySignedUidWith(value, secrets.map(checkingKey))?.uid;
}

describe("signed ids", () => {
  it("mints 128-bit ids and verifies their signature with the current or previous secret", async () => {
    const uid = newUid();
    expect(uid).toMatch(UID_PATTERN);
    expect(newUid()).not.toBe(uid);
    const old = await signUid(uid, "old-secret");
    expect(verifyUid(old, ["new-secret", "old-secret"])).toBe(uid);
    expect(verifySignedUidWith(old, [checkingKey("new-secret"), checkingKey("old-secret")])?.stale).toBe(true);
    expect(verifyUid(old, ["new-secret"])).toBeUndefined();
  });
  it("rejects tampered, truncated and oversized values", async () => {
    const value = await signUid(newUid(), "k");
    const other = newUid();
    for (const bad of [`${other}${value.slice(22)}`, value.slice(0, -1), `${value}A`, "", ".", "x".repeat(200)]) {
      expect(verifyUid(bad, ["k"])).toBeUndefined();
    }
  });
  it("accepts every signature as encoded, and no signature with any one character changed", async () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 42 }), fc.integer({ min: 1, max: 63 }), async (at, shift) => {
        const uid = newUid();
        const value = await signUid(uid, "secret-0123456789abcdef");
        expect(verifyUid(value, ["secret-0123456789abcdef"])).toBe(uid);
        // Any other base64url character at one place of the signature, the last (with its unused bits) included.
        const sig = value.slice(23);
        const changed = alphabet[(alphabet.indexOf(sig[at]!) + shift) % 64]!;
        const forged = `${uid}.${sig.slice(0, at)}${changed}${sig.slice(at + 1)}`;
        expect(verifyUid(forged, ["secret-0123456789abcdef"])).toBeUndefined();
        expect(verifyUid(`${uid}.${sig.slice(0, at)}+${sig.slice(at + 1)}`, ["secret-0123456789abcdef"])).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe("durations", () => {
  it("parses s, m, h and d up to 400 days", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("400d")).toBe(400 * 86_400_000);
    for (const bad of ["401d", "0d", "7w", "d", "1.5h", 7, "-1d"]) expect(parseDuration(bad)).toBeUndefined();
  });
});
