/** The ids `udn.identify()` may send: a SHA-256 hex (lower-cased) or a ppid, as the edge's patterns take them; never anything like an address. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identifyBody, NEVER_AN_ADDRESS, ONE_ID } from "../../tag/declared-id";

const HEX = "a".repeat(32) + "0123456789abcdef".repeat(2);
const message = (r: string | Error) => (r instanceof Error ? r.message : r);

describe("the body of POST /v1/identify", () => {
  it("carries a SHA-256 hex lower-cased, or a ppid as given", () => {
    expect(identifyBody({ sha256_email: HEX.toUpperCase() })).toBe(`{"sha256_email":"${HEX}"}`);
    expect(identifyBody({ ppid: "Pub:User-42_x.y" })).toBe('{"ppid":"Pub:User-42_x.y"}');
    expect(identifyBody({ ppid: "p".repeat(150) })).toBe(`{"ppid":"${"p".repeat(150)}"}`);
  });

  it("refuses an address in any field, before anything else is checked", () => {
    for (const id of [
      { email: "jane@example.com" },
      { email: "not an address" },
      { sha256_email: "jane@example.com" },
      { ppid: "jane@example.com" },
      { sha256_email: HEX, email: "jane@example.com" },
      { ppid: "x", note: "@" },
    ]) {
      expect(message(identifyBody(id)), JSON.stringify(id)).toBe(NEVER_AN_ADDRESS);
    }
  });

  it("refuses what the edge would refuse: not exactly one id, a hash of the wrong length, a ppid outside its pattern", () => {
    for (const id of [
      undefined,
      null,
      "jane",
      [HEX],
      {},
      { sha256_email: HEX, ppid: "x" },
      { sha256_email: HEX.slice(1) },
      { sha256_email: `${HEX}0` },
      { sha256_email: HEX.replace("a", "g") },
      { sha256_email: 42 },
      { ppid: "" },
      { ppid: "p".repeat(151) },
      { ppid: "a b" },
      { ppid: 'a"b' },
      { ppid: 7 },
      { uid: "x" },
    ]) {
      expect(message(identifyBody(id)), JSON.stringify(id)).toBe(ONE_ID);
    }
  });

  it("never lets an '@' through, whatever the page passes", () => {
    const value = fc.oneof(fc.string(), fc.constant("x@y"), fc.integer(), fc.constant(HEX));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("sha256_email", "ppid", "email", "e"), value), (id) => {
        const body = identifyBody(id);
        if (typeof body === "string") {
          expect(body).not.toContain("@");
          expect(Object.keys(JSON.parse(body))).toHaveLength(1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
