/** The tag's own checks against the edge's: every body the tag packs, the edge takes whole (it refuses a body for one bad event). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEventBody } from "../../domain/event-input";
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
