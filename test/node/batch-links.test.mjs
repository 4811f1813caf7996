// Identity links in the engine: which person each uid's events count as, and which erasures drop whom (real DuckDB).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEvents, openEngine } from "../../batch/engine.mjs";
import { lineProblem } from "../../batch/read-log.mjs";

const T = Date.parse("2026-12-01T00:00:00Z");
const dirs = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Loads `lines` as one staged file; returns each event as `uid id`, the links and the engine's counts. */
async function load(lines) {
  const dir = mkdtempSync(join(tmpdir(), "batch-links-"));
  dirs.push(dir);
  const file = join(dir, "stage.ndjson");
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  const db = await openEngine({ dir, memoryLimit: "128MB", threads: 1 });
  try {
    const counts = await loadEvents(db, [file], T + 100_000);
    const events = (await db.rows("SELECT uid, id FROM events ORDER BY uid, id")).map((r) => `${r.uid} ${r.id}`);
    const links = Object.fromEntries((await db.rows("SELECT uid, person FROM links")).map((r) => [r.uid, r.person]));
    return { counts, events, links };
  } finally {
    db.close();
  }
}

const ev = (uid, id, at) => ({ uid, id, type: "view", ts: T + at, props: { category: "auto" }, received: T + at });
const link = (uid, into, at) => ({ uid, id: `link-${T + at}`, type: "link", ts: T + at, props: { into }, received: T + at });
const erase = (uid, at, type = "erase") => ({ uid, id: `${type}-${T + at}`, type, ts: T + at, props: {}, received: T + at });

describe("identity links", () => {
  it("count every event of a linked uid as its person's, before and after the link, and the latest link wins", async () => {
    const { events, links, counts } = await load([
      ev("anon-1", "a", 1),
      link("anon-1", "person", 2),
      ev("anon-1", "b", 3),
      ev("person", "c", 4),
      // anon-2 was first linked by mistake, then into the person; the lines arrive out of order.
      link("anon-2", "person", 20),
      link("anon-2", "someone-else", 10),
      ev("anon-2", "a", 5),
      ev("loner", "a", 6),
    ]);
    expect(links).toEqual({ "anon-1": "person", "anon-2": "person" });
    // Two browsers may use the same event id: each (uid, id) counts once, so both "a" events stay.
    expect(events).toEqual(["loner a", "person a", "person a", "person b", "person c"]);
    expect(counts).toMatchObject({ events: 5, users: 2, linkedUids: 2, persons: 1, droppedUsers: 0 });
  });

  it("follow one step only, so links that chain or circle end and a self-link changes nothing", async () => {
    const { events, links } = await load([
      link("x-anon", "x-person", 1),
      link("x-person", "x-beyond", 2),
      ev("x-anon", "1", 3),
      ev("x-person", "2", 3),
      link("c1", "c2", 1),
      link("c2", "c1", 1),
      ev("c1", "3", 3),
      ev("c2", "4", 3),
      link("self", "self", 1),
      ev("self", "5", 3),
    ]);
    expect(links).toEqual({ "x-anon": "x-person", "x-person": "x-beyond", c1: "c2", c2: "c1" });
    expect(events).toEqual(["c1 4", "c2 3", "self 5", "x-beyond 2", "x-person 1"]);
  });

  it("drop a person erased under any of their uids: the person's erasure drops the old uid's events, and the reverse", async () => {
    const { events, counts } = await load([
      // The erasure names the person; the events before it are under the old uid.
      ev("e-anon", "1", 1),
      link("e-anon", "e-person", 2),
      erase("e-person", 5),
      ev("e-anon", "2", 6),
      // The erasure names the old uid; the person's own events and another linked uid's go with it.
      ev("r-person", "3", 1),
      ev("r-other", "4", 2),
      link("r-anon", "r-person", 1),
      link("r-other", "r-person", 1),
      erase("r-anon", 5, "optout"),
      ev("keeps", "5", 1),
    ]);
    // Only what was sent after the erasure counts, as it does for a single uid.
    expect(events).toEqual(["e-person 2", "keeps 5"]);
    expect(counts).toMatchObject({ droppedUsers: 2, events: 2 });
  });

  it("are checked as lines: a link needs the uid it goes into", () => {
    const line = link("anon", "person", 1);
    expect(lineProblem(line)).toBeNull();
    expect(lineProblem({ ...line, props: {} })).toBe("link without a valid into");
    expect(lineProblem({ ...line, props: { into: "has space" } })).toBe("link without a valid into");
    expect(lineProblem({ ...line, props: { into: 7 } })).toBe("link without a valid into");
  });
});
