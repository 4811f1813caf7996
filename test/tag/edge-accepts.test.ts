/** The tag's own checks against the edge's: every body the tag packs, the edge takes whole (it refuses a body for one bad event); a declared id the tag sends, the edge takes, and one it refuses, the edge would refuse. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEventBody } from "../../domain/event-input";
import { parseDeclaredId } from "../../domain/identity/declared-id";
import { identifyBody } from "../../tag/declared-id";
import { encodeEvent, packBodies } from "../../tag/event-batch";

const type = fc.oneof(
  fc.constantFrom("view", "purchase", "page_view", "optout", "erase", "a", "x".repeat(32), "x".repeat(33), "View", "1a", ""),
  fc.string({ maxLength: 40 }),
);
const key = fc.oneof(
  fc.constantFrom("url", "category", "a.b", "a-b", "_x", "1x", "k".repeat(32), "k".repeat(33)),
  fc.string({ maxLength: 40 }),
);
const value = fc.oneof(fc.string({ maxLength: 300 }), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer()), fc.object());

describe("the tag's events", () => {
  it("are taken by the edge whenever the tag sends them", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(type, fc.dictionary(key, value, { maxKeys: 30 })), { maxLength: 80 }), (events) => {
        const encoded = events.map(([t, props], i) => encodeEvent(`e${i}`, t, props, 1_700_000_000_000 + i));
        const sent = encoded.filter((e): e is string => e !== null);
        let taken = 0;
        for (const body of packBodies(sent)) taken += parseEventBody(body, Date.now()).length;
        expect(taken).toBe(sent.length);
      }),
      { numRuns: 300 },
    );
  });

  it("of the types the edge reserves are not sent", () => {
    expect(encodeEvent("e1", "optout", {}, 1)).toBeNull();
    expect(encodeEvent("e1", "erase", {}, 1)).toBeNull();
  });
});

describe("the tag's declared ids", () => {
  // Near the edge's patterns on both sides: well-formed ids, and ones a character or a length off.
  const hex = fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{64}$/), fc.stringMatching(/^[0-9a-fA-Fg]{62,66}$/));
  const ppid = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,150}$/), fc.stringMatching(/^[A-Za-z0-9._:@ -]{0,152}$/));
  const value = fc.oneof(hex, ppid, fc.constant("jane@example.com"), fc.integer(), fc.constant(null));
  const declared = fc.oneof(
    fc.record({ sha256_email: hex }),
    fc.record({ ppid }),
    fc.dictionary(fc.constantFrom("sha256_email", "ppid", "email", "uid"), value, { maxKeys: 3 }),
  );

  it("are exactly what the edge takes: what the tag sends is accepted as sent, what it refuses the edge would refuse", () => {
    fc.assert(
      fc.property(declared, (d) => {
        const body = identifyBody(d);
        let edge: ReturnType<typeof parseDeclaredId> | undefined;
        try {
          edge = parseDeclaredId(JSON.stringify(d));
        } catch {}
        if (typeof body === "string") {
          expect(edge).toBeDefined();
          // The edge reads the body the tag sends as the tag meant it (the hash lower-cased already).
          expect(parseDeclaredId(body)).toEqual(edge);
          expect(JSON.parse(body)).toEqual({ [edge!.kind]: edge!.value });
        } else expect(edge).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});
