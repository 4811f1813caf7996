/** user.data from the edge's profile: read defensively, mapped into a bidder's taxonomy, added beside other modules' data. */
import { describe, expect, it } from "vitest";
import { addUserData, type OrtbData, readEdgeData, userDataFor } from "../../prebid/user-data";

const EDGE: OrtbData[] = [
  { name: "udn.example", ext: { segtax: 4 }, segment: [{ id: "806" }, { id: "244" }] },
  { name: "udn.example", segment: [{ id: "udn-engaged" }] },
];

describe("readEdgeData", () => {
  it("keeps well-formed Data objects and drops the rest", () => {
    expect(readEdgeData(EDGE)).toEqual(EDGE);
    expect(readEdgeData(undefined)).toEqual([]);
    expect(readEdgeData("x")).toEqual([]);
    expect(
      readEdgeData([
        null,
        { name: 1, segment: [] },
        { name: "a", segment: [{ id: 5 }, { id: "7", extra: 1 }] },
        { name: "b", segment: [] },
      ]),
    ).toEqual([{ name: "a", segment: [{ id: "7" }] }]);
    expect(readEdgeData([{ name: "a", ext: { segtax: "4" }, segment: [{ id: "1" }] }])).toEqual([{ name: "a", segment: [{ id: "1" }] }]);
  });
});

describe("userDataFor", () => {
  it("gives the edge's own Data objects without a mapping, as copies", () => {
    const out = userDataFor(EDGE);
    expect(out).toEqual(EDGE);
    out[0]!.segment.push({ id: "changed" });
    expect(EDGE[0]!.segment).toHaveLength(2);
  });

  it("maps ids into a bidder's taxonomy, dropping those it has no id for and duplicates", () => {
    const mapping = { segtax: 501, ids: { "806": "auto", "244": "auto", "udn-engaged": "eng" } };
    expect(userDataFor(EDGE, mapping)).toEqual([{ name: "udn.example", ext: { segtax: 501 }, segment: [{ id: "auto" }, { id: "eng" }] }]);
    expect(userDataFor(EDGE, { segtax: 501, ids: { nope: "x" } })).toEqual([]);
    expect(userDataFor([], { segtax: 501, ids: { "806": "a" } })).toEqual([]);
    // Only the mapping's own keys: an id named like an Object property maps to nothing.
    expect(userDataFor([{ name: "n", segment: [{ id: "constructor" }] }], { segtax: 1, ids: {} })).toEqual([]);
  });
});

describe("addUserData", () => {
  it("adds beside other modules' data and leaves user.ext and the rest alone", () => {
    const other = { name: "other.example", segment: [{ id: "o1" }] };
    const fragment = { site: { page: "p" }, user: { data: [other], ext: { eids: [{ source: "id.example" }] } } };
    addUserData(fragment, EDGE);
    expect(fragment).toEqual({ site: { page: "p" }, user: { data: [other, ...EDGE], ext: { eids: [{ source: "id.example" }] } } });
  });

  it("replaces its own entries from an earlier auction instead of piling them up", () => {
    const fragment = {
      user: {
        data: [
          { name: "udn.example", segment: [{ id: "old" }] },
          { name: "x", segment: [{ id: "1" }] },
        ],
      },
    };
    addUserData(fragment, EDGE);
    addUserData(fragment, EDGE);
    expect(fragment.user.data).toEqual([{ name: "x", segment: [{ id: "1" }] }, ...EDGE]);
  });

  it("creates user.data where there is none, and changes nothing when it has nothing to add", () => {
    const empty: { user?: { data?: unknown } } = {};
    addUserData(empty, []);
    expect(empty).toEqual({});
    addUserData(empty, EDGE);
    expect(empty).toEqual({ user: { data: EDGE } });
  });
});
