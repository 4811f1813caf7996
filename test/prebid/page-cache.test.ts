/** The page cache's rules: an entry is its edge's, within its age limit and not from the future; a newer version, or another person's, replaces it. */
import { describe, expect, it } from "vitest";
import { type CachedProfile, cacheKey, fromPage, replaces, usable } from "../../prebid/page-cache";

const EDGE = "https://edge.example.com";
const HOUR = 3_600_000;
/** Our eids for `uid`, with a partner's id matched to it. */
const eidsOf = (uid: string, atype = 1) => [
  { source: "udn.example", uids: [{ id: uid, atype }] },
  { source: "ssp1.example", uids: [{ id: `p-${uid}`, atype: 1 }], matcher: "udn.example", mm: 2 },
];
const entry = (ts: number, at: number, ids: string[] = ["806"], uid = "browser-1"): CachedProfile => ({
  edge: EDGE,
  ts,
  at,
  data: ids.length ? [{ name: "udn.example", ext: { segtax: 4 }, segment: ids.map((id) => ({ id })) }] : [],
  gpt: { udn: ids },
  eids: uid ? eidsOf(uid) : [],
});

describe("fromPage", () => {
  it("reads the edge's page answer", () => {
    const page = {
      segments: ["806"],
      ts: 5,
      user: { data: entry(5, 0).data, eids: eidsOf("browser-1") },
      gpt: { udn: ["806"], bad: [1, "x"] },
    };
    expect(fromPage(EDGE, page, 100)).toEqual({ ...entry(5, 100), gpt: { udn: ["806"], bad: ["x"] } });
    // An answer from before eids (or without consent for them) has none.
    expect(fromPage(EDGE, { ts: 5, user: { data: [] } }, 100)!.eids).toEqual([]);
    for (const bad of [null, undefined, {}, { ts: "5" }, "x"]) expect(fromPage(EDGE, bad, 100)).toBeUndefined();
  });
});

describe("usable", () => {
  it("takes an entry of this edge within its age limit", () => {
    const now = 10 * HOUR;
    expect(usable(entry(1, now - HOUR), EDGE, now, 2 * HOUR)).toEqual(entry(1, now - HOUR));
    expect(usable(entry(1, now - 2 * HOUR), EDGE, now, 2 * HOUR)).toBeDefined();
  });

  it("refuses another edge's entry, an old one, one from the future and malformed ones", () => {
    const now = 10 * HOUR;
    expect(usable(entry(1, now), "https://other.example.com", now, HOUR)).toBeUndefined();
    expect(usable(entry(1, now - HOUR - 1), EDGE, now, HOUR)).toBeUndefined();
    expect(usable(entry(1, now + 1), EDGE, now, HOUR)).toBeUndefined();
    for (const bad of [null, "x", {}, { edge: EDGE, ts: 1 }, { edge: EDGE, ts: "1", at: now }])
      expect(usable(bad, EDGE, now, HOUR)).toBeUndefined();
  });

  it("keys entries by edge", () => {
    expect(cacheKey(EDGE)).not.toBe(cacheKey("https://other.example.com"));
  });
});

describe("replaces", () => {
  const now = 10 * HOUR;
  it("takes a newer or equal version, never an older one over a usable entry", () => {
    expect(replaces(entry(5, now), entry(6, now), now, HOUR)).toBe(true);
    expect(replaces(entry(5, now), entry(5, now), now, HOUR)).toBe(true);
    expect(replaces(entry(5, now), entry(4, now), now, HOUR)).toBe(false);
  });

  it("takes anything over nothing or over an entry past its age", () => {
    expect(replaces(undefined, entry(1, now), now, HOUR)).toBe(true);
    expect(replaces(entry(9, now - 2 * HOUR), entry(1, now), now, HOUR)).toBe(true);
  });

  it("takes another identity's profile even when it is older: the browser signed in as a person", () => {
    const person = { ...entry(3, now, ["244"]), eids: eidsOf("person-9", 3) };
    expect(replaces(entry(5, now), person, now, HOUR)).toBe(true);
    // A cache written before eids were answered is replaced by the first answer with them.
    expect(replaces(entry(5, now, ["806"], ""), entry(4, now), now, HOUR)).toBe(true);
    // The same identity with a partner's id added keeps the version rule.
    expect(replaces(entry(5, now), { ...entry(4, now), eids: eidsOf("browser-1").slice(0, 1) }, now, HOUR)).toBe(false);
  });

  it("takes the edge's 'nobody known' answer (version 0, no segments) over anything: consent refused, opted out, erased", () => {
    expect(replaces(entry(9, now), entry(0, now, []), now, HOUR)).toBe(true);
  });
});
