/** Merging real-time and batch memberships into one profile, and when the next one lapses. */
import { describe, expect, it } from "vitest";
import { liveSegments, type MembershipState, nextLapse, sameSegments } from "../../domain/merge";

const state = (over: Partial<MembershipState> = {}): MembershipState => ({
  realtime: new Map([
    ["806", { until: 100, taxonomy: 4 }],
    ["rt", { until: 50 }],
  ]),
  batch: {
    segments: [
      { id: "607", taxonomy: 4 },
      { id: "806", taxonomy: 4 },
    ],
    expires: 80,
  },
  ...over,
});

describe("merging real-time and batch memberships", () => {
  it("publishes the union, each id once, real-time first", () => {
    expect(liveSegments(state(), 10)).toEqual([{ id: "806", taxonomy: 4 }, { id: "rt" }, { id: "607", taxonomy: 4 }]);
  });

  it("drops real-time memberships at their end and batch segments when the batch lapses", () => {
    expect(liveSegments(state(), 50).map((s) => s.id)).toEqual(["806", "607"]);
    expect(liveSegments(state(), 80).map((s) => s.id)).toEqual(["806"]);
    expect(liveSegments(state(), 100)).toEqual([]);
  });

  it("names the next moment something lapses by itself", () => {
    expect(nextLapse(state(), 10)).toBe(50);
    expect(nextLapse(state(), 50)).toBe(80);
    expect(nextLapse(state(), 80)).toBe(100);
    expect(nextLapse(state(), 100)).toBeUndefined();
    expect(nextLapse(state({ batch: { segments: [], expires: 0 } }), 60)).toBe(100);
  });

  it("compares profiles by ids and taxonomies in order", () => {
    expect(sameSegments([{ id: "a" }], [{ id: "a" }])).toBe(true);
    expect(sameSegments([{ id: "a" }], [{ id: "a", taxonomy: 4 }])).toBe(false);
    expect(sameSegments([{ id: "a" }, { id: "b" }], [{ id: "b" }, { id: "a" }])).toBe(false);
  });
});
