/** The plain-JS HMAC-SHA-256 that checks cookies, against RFC 4231 and WebCrypto. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { equalBytes, hmacKey, hmacSha256 } from "../../domain/hmac-sha256";

async function webCrypto(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, message));
}

describe("HMAC-SHA-256 in plain JS", () => {
  it("matches RFC 4231 test case 2", () => {
    const mac = hmacSha256(hmacKey(new TextEncoder().encode("Jefe")), new TextEncoder().encode("what do ya want for nothing?"));
    expect([...mac].map((b) => b.toString(16).padStart(2, "0")).join("")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("matches WebCrypto for keys and messages on both sides of every block boundary", async () => {
    // Keys up to and past one block (longer ones are hashed first); messages up to three blocks with their padding.
    const lengths = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.constantFrom(55, 56, 63, 64, 65, 119, 120, 128));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 150 }),
        lengths.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        async (key, message) => {
          expect(hmacSha256(hmacKey(key), message)).toEqual(await webCrypto(key, message));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("compares byte strings whole", () => {
    expect(equalBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(equalBytes(Uint8Array.of(0, 2, 3), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
  });
});
