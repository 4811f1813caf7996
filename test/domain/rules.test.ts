/** Segment rules: windows, conditions, boolean and segment-of-segment rules, counter pruning. */
import { describe, expect, it } from "vitest";
import type { UdnEvent } from "../../domain/event-input";
import { compileRules } from "../../domain/rules/compile";
import { type Counters, countEvent, pruneCounters, qualifyingSegments } from "../../domain/rules/evaluate";

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = 1_800_000_000_000;

function rules(segments: object[]) {
  return compileRules({ version: 1, segments: segments.map((s, i) => ({ id: `s${i}`, name: "x", ttl: "1d", ...s })) });
}

function ev(type: string, ts: number, props: UdnEvent["props"] = {}): UdnEvent {
  return { id: `${type}-${ts}-${Math.random()}`, type, ts, props };
}

/** Counts the events, then evaluates at `now` with no prior memberships. */
function qualify(r: ReturnType<typeof rules>, events: UdnEvent[], now: number, member: string[] = []): string[] {
  const counters: Counters = new Map();
  for (const e of events) countEvent(r, counters, e, Math.max(now, e.ts));
  return [...qualifyingSegments(r, counters, now, (id) => member.includes(id))];
}

describe("event rules", () => {
  const auto = rules([{ rule: { event: "view", props: { category: "auto" }, min: 3, within: "30m" } }]);

  it("qualifies at the Nth matching event within the window and not before", () => {
    const two = [ev("view", T0, { category: "auto" }), ev("view", T0 + MIN, { category: "auto" })];
    expect(qualify(auto, two, T0 + 2 * MIN)).toEqual([]);
    expect(qualify(auto, [...two, ev("view", T0 + 2 * MIN, { category: "auto" })], T0 + 2 * MIN)).toEqual(["s0"]);
  });

  it("ignores other types and non-matching props", () => {
    const es = [
      ev("click", T0, { category: "auto" }),
      ev("view", T0, { category: "news" }),
      ev("view", T0),
      ev("view", T0, { category: "auto" }),
    ];
    expect(qualify(auto, es, T0)).toEqual([]);
  });

  it("counts a window's edge to a 60th of the window: in just inside, out one bucket past", () => {
    const bucket = (30 * MIN) / 60;
    const three = (t: number) => [0, 1, 2].map(() => ev("view", t, { category: "auto" }));
    expect(qualify(auto, three(T0), T0 + 30 * MIN)).toEqual(["s0"]);
    expect(qualify(auto, three(T0), T0 + 30 * MIN + bucket - 1)).toEqual(["s0"]);
    expect(qualify(auto, three(T0), T0 + 30 * MIN + 2 * bucket)).toEqual([]);
  });

  it("counts events in any order the same", () => {
    const es = [T0 + 5 * MIN, T0, T0 + 2 * MIN].map((t) => ev("view", t, { category: "auto" }));
    expect(qualify(auto, es, T0 + 6 * MIN)).toEqual(["s0"]);
  });

  it("supports equals, one-of and prefix conditions on props", () => {
    const r = rules([
      { rule: { event: "view", props: { n: { eq: 3 } }, within: "1h" } },
      { rule: { event: "view", props: { c: { in: ["a", "b"] } }, within: "1h" } },
      { rule: { event: "view", props: { url: { prefix: "/cars/" } }, within: "1h" } },
    ]);
    expect(qualify(r, [ev("view", T0, { n: 3 })], T0)).toEqual(["s0"]);
    expect(qualify(r, [ev("view", T0, { n: "3" })], T0)).toEqual([]);
    expect(qualify(r, [ev("view", T0, { c: "b" })], T0)).toEqual(["s1"]);
    expect(qualify(r, [ev("view", T0, { c: "z" })], T0)).toEqual([]);
    expect(qualify(r, [ev("view", T0, { url: "/cars/suv" })], T0)).toEqual(["s2"]);
    expect(qualify(r, [ev("view", T0, { url: "/bikes/cars/" })], T0)).toEqual([]);
  });

  it("expresses recency: seen within the last 30 minutes", () => {
    const r = rules([{ rule: { event: "purchase", within: "30m" } }]);
    expect(qualify(r, [ev("purchase", T0)], T0 + 10 * MIN)).toEqual(["s0"]);
    expect(qualify(r, [ev("purchase", T0)], T0 + 40 * MIN)).toEqual([]);
  });
});

describe("boolean and segment-of-segment rules", () => {
  const r = compileRules({
    version: 1,
    segments: [
      { id: "both", name: "x", ttl: "1d", rule: { all: [{ segment: "viewer" }, { segment: "batch-607" }] } },
      { id: "viewer", name: "x", ttl: "1d", rule: { event: "view", within: "1d" } },
      {
        id: "either",
        name: "x",
        ttl: "1d",
        rule: {
          any: [
            { event: "click", within: "1d" },
            { event: "share", within: "1d" },
          ],
        },
      },
      {
        id: "browser-not-buyer",
        name: "x",
        ttl: "1h",
        rule: { all: [{ event: "view", within: "30m" }, { not: { event: "purchase", within: "30m" } }] },
      },
    ],
  });

  it("orders segments so a segment-of-segments sees this round's memberships", () => {
    expect(r.segments.map((s) => s.id).indexOf("viewer")).toBeLessThan(r.segments.map((s) => s.id).indexOf("both"));
    expect(qualify(r, [ev("view", T0)], T0, ["batch-607"]).sort()).toEqual(["both", "browser-not-buyer", "viewer"]);
    expect(qualify(r, [ev("view", T0)], T0).sort()).toEqual(["browser-not-buyer", "viewer"]);
  });

  it("evaluates any and not", () => {
    expect(qualify(r, [ev("share", T0)], T0)).toEqual(["either"]);
    expect(qualify(r, [ev("view", T0), ev("purchase", T0)], T0)).toEqual(["viewer"]);
  });
});

describe("counter pruning", () => {
  it("drops buckets outside every window and leaves of rules that are gone", () => {
    const r = rules([{ rule: { event: "view", within: "1d" } }]);
    const counters: Counters = new Map();
    countEvent(r, counters, ev("view", T0), T0);
    countEvent(r, counters, ev("view", T0 + DAY), T0 + DAY);
    const [cells] = counters.values();
    expect(cells!.size).toBe(2);
    pruneCounters(r, counters, T0 + DAY + DAY / 2);
    expect(cells!.size).toBe(1);
    counters.set("gone", new Map([[1, 1]]));
    expect(pruneCounters(r, counters, T0 + DAY)).toContainEqual({ key: "gone" });
    expect(counters.has("gone")).toBe(false);
  });

  it("does not count an event older than the window at all", () => {
    const r = rules([{ rule: { event: "view", within: "1h" } }]);
    const counters: Counters = new Map();
    expect(countEvent(r, counters, ev("view", T0 - 2 * DAY), T0)).toEqual([]);
  });
});
