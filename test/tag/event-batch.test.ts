/** The tag's event checks and packing into bodies within the edge's limits. */
import { describe, expect, it } from "vitest";
import { encodeEvent, MAX_BODY_BYTES, MAX_EVENTS, packBodies, utf8Bytes } from "../../tag/event-batch";

const event = (i: number, props: Record<string, unknown> = {}) => encodeEvent(`e${i}`, "view", props, 1_700_000_000_000 + i)!;
const ids = (bodies: string[]) => bodies.flatMap((b) => (JSON.parse(b) as { events: { id: string }[] }).events.map((e) => e.id));

describe("encodeEvent", () => {
  it("keeps what the edge takes", () => {
    expect(JSON.parse(encodeEvent("a1", "view", { category: "auto", n: 3, ok: true }, 5)!)).toEqual({
      id: "a1",
      type: "view",
      ts: 5,
      props: { category: "auto", n: 3, ok: true },
    });
  });

  it("refuses a type the edge would reject, so it cannot sink the rest of its batch", () => {
    for (const type of ["", "View", "1view", "a".repeat(33), "has space", undefined as unknown as string]) {
      expect(encodeEvent("a1", type, {}, 5)).toBeNull();
    }
  });

  it("leaves out props the edge would reject and cuts long strings", () => {
    const props: Record<string, unknown> = {
      "bad key": "x",
      _x: "x",
      obj: {},
      arr: [1],
      nan: NaN,
      inf: Infinity,
      nil: null,
      long: "é".repeat(300),
    };
    for (let i = 0; i < 25; i++) props[`k${i}`] = i;
    const out = JSON.parse(encodeEvent("a1", "view", props, 5)!).props as Record<string, unknown>;
    expect(out.long).toBe("é".repeat(256));
    expect(Object.keys(out)).toHaveLength(20);
    for (const k of ["bad key", "_x", "obj", "arr", "nan", "inf", "nil"]) expect(out).not.toHaveProperty(k);
  });

  it("takes no props at all", () => {
    expect(JSON.parse(encodeEvent("a1", "purchase", undefined, 5)!).props).toEqual({});
  });
});

describe("packBodies", () => {
  it("puts up to 50 events in one body, in order", () => {
    const events = Array.from({ length: 120 }, (_, i) => event(i));
    const bodies = packBodies(events);
    expect(bodies.map((b) => JSON.parse(b).events.length)).toEqual([MAX_EVENTS, MAX_EVENTS, 20]);
    expect(ids(bodies)).toEqual(events.map((_, i) => `e${i}`));
  });

  it("keeps every body within 16 KiB counted in UTF-8 bytes", () => {
    // 3-byte characters: a length count in UTF-16 units would undercount them threefold.
    const events = Array.from({ length: 40 }, (_, i) => event(i, { a: "€".repeat(256), b: "€".repeat(256) }));
    const bodies = packBodies(events);
    expect(bodies.length).toBeGreaterThan(1);
    for (const b of bodies) expect(utf8Bytes(b)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(ids(bodies)).toHaveLength(40);
  });

  it("fills a body up to exactly the limit", () => {
    const events = Array.from({ length: 4 }, (_, i) => event(i));
    const exact = utf8Bytes(packBodies(events)[0]!);
    expect(packBodies(events, 50, exact)).toHaveLength(1);
    expect(packBodies(events, 50, exact - 1)).toHaveLength(2);
  });

  it("drops an event too large for any body and keeps the others", () => {
    const huge = event(1, { a: "x".repeat(300) });
    expect(ids(packBodies([event(0), huge, event(2)], 50, 200))).toEqual(["e0", "e2"]);
  });

  it("makes no body from no events", () => {
    expect(packBodies([])).toEqual([]);
  });
});
