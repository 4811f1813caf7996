/** Extended ids from the edge's answer: read defensively, whose profile they name, and added beside other ID modules' without replacing or repeating a source. */
import { describe, expect, it } from "vitest";
import { addEids, type Eid, ownId, readEids } from "../../prebid/eids";
import type { Ortb2Fragment } from "../../prebid/user-data";

const OURS: Eid = { source: "udn.example", uids: [{ id: "uid-1", atype: 1 }] };
const SSP1: Eid = { source: "ssp1.example", uids: [{ id: "p-1", atype: 1 }], matcher: "udn.example", mm: 2 };
/** Another ID module's eid, as Prebid's userId module (or the publisher's config) leaves it in the fragment. */
const OTHER = { source: "id.example", uids: [{ id: "u1", atype: 1 }] };

describe("readEids", () => {
  it("keeps well-formed EIDs as they are, and drops the rest", () => {
    expect(readEids([OURS, SSP1])).toEqual([OURS, SSP1]);
    for (const bad of [undefined, null, "x", {}]) expect(readEids(bad)).toEqual([]);
    expect(
      readEids([
        null,
        { source: "", uids: [{ id: "x" }] },
        { source: 5, uids: [{ id: "x" }] },
        { source: "a.example", uids: "x" },
        { source: "b.example", uids: [] },
        { source: "b.example", uids: [{ id: "b1" }, { id: 7 }] },
        { source: "b.example", uids: [{ id: "b1" }, null] },
        { source: "b.example", uids: [{ id: "" }] },
        { source: "c.example", uids: [{ id: "c1", ext: { stype: "ppuid" } }] },
      ]),
    ).toEqual([{ source: "c.example", uids: [{ id: "c1", ext: { stype: "ppuid" } }] }]);
  });
});

describe("ownId", () => {
  it("is the id of our own entry, not of a partner's we matched", () => {
    expect(ownId([SSP1, OURS])).toBe("uid-1");
    expect(ownId([SSP1])).toBeUndefined();
    expect(ownId([])).toBeUndefined();
  });
});

describe("addEids", () => {
  it("appends ours after other modules' eids, where Prebid keeps them (user.ext.eids), leaving the rest of user alone", () => {
    const f: Ortb2Fragment = { user: { data: [{ name: "other.example" }], ext: { eids: [OTHER], consent: "CQ" } } };
    addEids(f, [OURS, SSP1]);
    expect(f).toEqual({ user: { data: [{ name: "other.example" }], ext: { eids: [OTHER, OURS, SSP1], consent: "CQ" } } });
  });

  it("never replaces or repeats a source already there, in user.ext.eids or user.eids", () => {
    const theirs = { source: "ssp1.example", uids: [{ id: "their-own", atype: 3 }] };
    const f: Ortb2Fragment = { user: { eids: [theirs], ext: { eids: [OTHER] } } };
    addEids(f, [SSP1, OURS, { source: "id.example", uids: [{ id: "ours-for-it" }] }, { ...OURS, uids: [{ id: "again" }] }]);
    expect(f).toEqual({ user: { eids: [theirs], ext: { eids: [OTHER, OURS] } } });
    // A second auction over the same fragment adds nothing more.
    addEids(f, [OURS, SSP1]);
    expect((f.user!.ext as { eids: unknown[] }).eids).toEqual([OTHER, OURS]);
  });

  it("skips sources the global fragment carries when adding to a bidder's, which Prebid merges with it", () => {
    const global: Ortb2Fragment = { user: { ext: { eids: [OTHER, { source: "udn.example", uids: [{ id: "x" }] }] } } };
    const bidder: Ortb2Fragment = {};
    addEids(bidder, [OURS, SSP1], global);
    expect(bidder).toEqual({ user: { ext: { eids: [SSP1] } } });
  });

  it("creates user and user.ext only when it adds something, with copies of ours", () => {
    const empty: Ortb2Fragment = {};
    addEids(empty, []);
    expect(empty).toEqual({});
    const full: Ortb2Fragment = { user: { ext: { eids: [OURS] } } };
    addEids(full, [OURS]);
    expect(full).toEqual({ user: { ext: { eids: [OURS] } } });
    const f: Ortb2Fragment = {};
    addEids(f, [OURS]);
    const added = (f.user!.ext as { eids: Eid[] }).eids[0]!;
    expect(added).toEqual(OURS);
    expect(added).not.toBe(OURS);
    expect(added.uids).not.toBe(OURS.uids);
  });
});
