// The batch job on real DuckDB, over a log and an origin laid out as folders: what it keeps, computes, publishes and refuses.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { parseBatchArgs } from "../../batch/args.mjs";
import { dirBucket } from "../../batch/buckets.mjs";
import { runBatch, stateKey } from "../../batch/job.mjs";
import { createProgress } from "../../batch/progress.mjs";
import { parseBatchRecord } from "../../domain/batch-record.ts";

const DAY = 86_400_000;
const AS_OF = Date.parse("2026-12-04T00:00:00Z");
const dirs = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const root = mkdtempSync(join(tmpdir(), "batch-job-"));
  dirs.push(root);
  const events = dirBucket(join(root, "events"));
  const origin = dirBucket(join(root, "origin"));
  let n = 0;
  const log = async (lines, { raw } = {}) => {
    const body = raw ?? gzipSync(`${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
    await events.put(`events/dt=2026-12-03/hr=10/${String(1796000000000 + n++).padStart(13, "0")}-00000000000${n % 10}.ndjson.gz`, body);
  };
  const run = (args = [], buckets = {}, now = undefined) =>
    runBatch(
      parseBatchArgs(["--as-of", String(AS_OF), "--temp-dir", root, "--memory-limit", "256MB", ...args], {}, AS_OF),
      {
        events,
        origin,
        destination: "a folder",
        ...buckets,
      },
      createProgress({ quiet: true }),
      now,
    );
  const json = async (key) => JSON.parse(new TextDecoder().decode(await origin.get(key)));
  const records = async (version) => {
    const m = await json(`manifests/v${version}.json`);
    const out = [];
    for (const p of m.parts) {
      const bytes = await origin.get(p.key);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(p.sha256);
      const lines = gunzipSync(bytes).toString().trim().split("\n").filter(Boolean);
      expect(lines.length).toBe(p.records);
      out.push(...lines.map((l) => JSON.parse(l)));
    }
    return out.sort((a, b) => ((a.uid ?? a.url) < (b.uid ?? b.url) ? -1 : 1));
  };
  return { root, events, origin, log, run, json, records };
}

let seq = 0;
const ev = (uid, type, props, daysAgo = 1, extra = {}) => {
  const ts = AS_OF - daysAgo * DAY;
  return { uid, id: `e${seq++}`, type, ts, props, received: ts + 5, ...extra };
};
const views = (uid, category, n, daysAgo = 1) =>
  Array.from({ length: n }, () => ev(uid, "view", { category, url: `/${category}/x` }, daysAgo));

describe("batch job", () => {
  it("computes each shipped segment from the log: 90-day intender, spend threshold, sequence, look-alike, 30-day interest", async () => {
    const t = setup();
    await t.log([
      ...views("intender-a", "auto", 3, 80),
      ...views("intender-b", "auto", 4),
      ...views("too-old", "auto", 3, 95),
      ...views("two-views", "auto", 2),
      ...views("like-intenders", "auto", 2),
      ...views("unlike", "news", 2),
      ...views("fan", "sports", 5, 20),
      ...views("casual-fan", "sports", 4),
      ev("spender", "purchase", { category: "electronics", value: 300 }),
      ev("spender", "purchase", { category: "electronics", value: 250 }, 2),
      ev("small-spender", "purchase", { category: "electronics", value: 499 }),
      ev("traveller", "view", { category: "travel" }, 10),
      ev("traveller", "purchase", { category: "travel", value: 900 }, 1),
      ev("bought-first", "purchase", { category: "travel", value: 900 }, 10),
      ev("bought-first", "view", { category: "travel" }, 1),
      ev("slow-traveller", "view", { category: "travel" }, 60),
      ev("slow-traveller", "purchase", { category: "travel", value: 900 }, 20),
    ]);
    const run = await t.run();
    expect(run.outcome).toBe("published");
    expect(run.kind).toBe("full");
    const byUser = Object.fromEntries((await t.records(run.version)).map((r) => [r.uid, r.segments]));
    // two-views and like-intenders view only auto, like the intenders: both are look-alikes (243); unlike is not.
    expect(byUser).toEqual({
      "intender-a": ["805"],
      "intender-b": ["805"],
      fan: ["607"],
      "two-views": ["243"],
      "like-intenders": ["243"],
      spender: ["942"],
      traveller: ["1649"],
    });
    expect(await t.json("manifests/latest.json")).toMatchObject({ version: run.version, kind: "full", segmentTtl: "3d", taxonomy: 4 });
    const reach = await t.json("reach/latest.json");
    expect(reach.segments.map((s) => [s.id, s.members, s.previous, s.belowMinimum])).toEqual([
      ["243", 2, null, true],
      ["607", 1, null, true],
      ["805", 2, null, true],
      ["942", 1, null, true],
      ["1649", 1, null, true],
    ]);
  });

  it("drops duplicates by (uid, id), and every event a user sent before a later opt-out or erasure", async () => {
    const t = setup();
    const dup = views("twice", "auto", 2);
    await t.log([...dup, ...dup, ...views("erased", "auto", 5, 3), ...views("opted-out", "auto", 5, 3)]);
    await t.log([
      ev("erased", "erase", {}, 2, { id: "erase-1" }),
      ev("opted-out", "optout", {}, 2, { id: "optout-1" }),
      ...views("opted-out", "auto", 3, 1),
    ]);
    const run = await t.run();
    // "twice" counts 2 views, not 4: a look-alike, not an intender. "opted-out" has three views after its opt-out,
    // and is an intender on those alone; "erased" is in nothing.
    expect(run.events).toMatchObject({ duplicates: 2, droppedUsers: 2 });
    expect(await t.records(run.version)).toEqual([
      { uid: "opted-out", segments: ["805"] },
      { uid: "twice", segments: ["243"] },
    ]);
  });

  it("counts the uids linked into one person as that person: one member for behaviour reached only together, erased together", async () => {
    const t = setup();
    const link = (uid, into, daysAgo) => ev(uid, "link", { into }, daysAgo, { id: `link-${uid}` });
    await t.log([
      // 300 + 250 in electronics: neither browser alone spends 500, the person does.
      ev("browser-a", "purchase", { category: "electronics", value: 300 }, 5),
      ev("browser-b", "purchase", { category: "electronics", value: 250 }, 3),
      link("browser-a", "person-1", 2),
      link("browser-b", "person-1", 1),
      // The same, then an erasure naming only the person: both browsers' events go.
      ev("browser-c", "purchase", { category: "electronics", value: 300 }, 5),
      ev("browser-d", "purchase", { category: "electronics", value: 250 }, 3),
      link("browser-c", "person-2", 2),
      link("browser-d", "person-2", 2),
      ev("person-2", "erase", {}, 1, { id: "erase-person-2" }),
    ]);
    const run = await t.run();
    expect(run.events).toMatchObject({ linkedUids: 4, persons: 2, droppedUsers: 1, users: 1 });
    expect(await t.records(run.version)).toEqual([{ uid: "person-1", segments: ["942"] }]);
    expect(run.reach.segments.find((s) => s.id === "942")).toMatchObject({ members: 1 });
  });

  it("moves a uid's segments to its person when it links later: the person gets them, the old uid a delete", async () => {
    const t = setup();
    await t.log(views("browser-x", "auto", 3, 10));
    const first = await t.run();
    expect(await t.records(first.version)).toEqual([{ uid: "browser-x", segments: ["805"] }]);
    await t.log([ev("browser-x", "link", { into: "person-x" }, 1, { id: "link-x" })]);
    // The old uid's membership is removed (all of the last run's): the drop guard would stop the run.
    const second = await t.run(["--version", String(first.version + 1), "--force"]);
    expect(await t.records(second.version)).toEqual([
      { uid: "browser-x", delete: true },
      { uid: "person-x", segments: ["805"] },
    ]);
  });

  it("publishes page records from the page files in a version of their own, in the shape the sync accepts", async () => {
    const t = setup();
    const read = (uid, url, category, daysAgo = 1) => ev(uid, "view", { category, url }, daysAgo);
    await t.log([
      // Three readers, one page under three addresses (tracking parameters, order of parameters, scheme): one record.
      read("r1", "https://news.example/cars/suv?id=7&page=2&utm_source=mail", "auto"),
      read("r2", "https://news.example/cars/suv?page=2&id=7", "auto"),
      read("r3", "http://News.example/cars/suv?id=7&page=2#comments", "auto"),
      // Two categories, each on half the views: both.
      ...["r1", "r2", "r3", "r4"].map((u, i) => read(u, "https://shop.example/deal", i < 2 ? "electronics" : "travel")),
      // Two readers only; a category seen on a third of the views; an address the edge cannot key.
      read("r1", "https://news.example/quiet", "sports"),
      read("r2", "https://news.example/quiet", "sports"),
      ...["r1", "r2", "r3"].map((u, i) => read(u, "https://news.example/mixed", i === 0 ? "food" : "news")),
      ...["r1", "r2", "r3"].map((u) => read(u, "/cars/relative", "auto")),
      ...["r1", "r2", "r3"].map((u) => read(u, "https://news.example/old", "sports", 40)),
    ]);
    const run = await t.run();
    expect(run.pages).toMatchObject({ version: run.version + 1, kind: "full", pages: 2, skippedUrls: 0, upserts: 2, deletes: 0 });
    const manifest = await t.json(`manifests/v${run.version + 1}.json`);
    expect(manifest).toMatchObject({ kind: "full", taxonomy: 9 });
    expect((await t.json("manifests/latest.json")).version).toBe(run.version + 1);
    const pages = await t.records(run.version + 1);
    expect(pages).toEqual([
      { url: "http://News.example/cars/suv?id=7&page=2#comments", segments: ["1"] },
      { url: "https://shop.example/deal", segments: ["632", "653"] },
    ]);
    // The sync's own parser takes each line, keyed as lookups key the page.
    expect(pages.map((p) => parseBatchRecord(JSON.stringify(p)))).toEqual([
      { page: "news.example/cars/suv?id=7&page=2", segments: ["1"] },
      { page: "shop.example/deal", segments: ["632", "653"] },
    ]);
    // The users' version carries no page, and keeps its own taxonomy.
    expect(await t.json(`manifests/v${run.version}.json`)).toMatchObject({ taxonomy: 4 });
    expect((await t.records(run.version)).some((r) => "url" in r)).toBe(false);

    // A later run: the deal page is read as travel only now (a delta), the SUV page is read too little to keep.
    await t.log([...["r5", "r6", "r7", "r8"].map((u) => read(u, "https://shop.example/deal", "travel", -39))]);
    const second = await t.run(["--as-of", String(AS_OF + 40 * DAY), "--version", String(run.version + 2), "--force"]);
    expect(second.pages).toMatchObject({ kind: "delta", upserts: 1, deletes: 1 });
    expect(await t.records(second.pages.version)).toEqual([
      { url: "http://News.example/cars/suv?id=7&page=2#comments", delete: true },
      { url: "https://shop.example/deal", segments: ["653"] },
    ]);
    const third = await t.run(["--as-of", String(AS_OF + 40 * DAY)]);
    expect(third.outcome).toBe("unchanged");
  });

  it("leaves out the addresses a page file returns that the edge would reject, counting them", async () => {
    const t = setup();
    const pages = join(t.root, "pages");
    mkdirSync(pages);
    writeFileSync(
      join(pages, "fixed.sql"),
      `-- segment 1: Automotive
SELECT 'https://ok.example/a' AS url, '1' AS segment
UNION ALL SELECT 'ftp://files.example/a', '1'
UNION ALL SELECT '/relative', '1'
UNION ALL SELECT 'https://ok.example/${"a".repeat(2100)}', '1'`,
    );
    await t.log(views("a", "auto", 3));
    const run = await t.run(["--pages", pages]);
    expect(run.pages).toMatchObject({ pages: 1, skippedUrls: 3, upserts: 1, published: true });
    expect(await t.records(run.pages.version)).toEqual([{ url: "https://ok.example/a", segments: ["1"] }]);
  });

  it("counts a corrupt gzip object and lines that are not events by reason, and uses the rest", async () => {
    const t = setup();
    await t.log([], { raw: Buffer.from("this is not gzip") });
    await t.log([
      ...views("ok", "auto", 3),
      "{not json",
      "[1,2]",
      JSON.stringify({ uid: "no id", type: "view", ts: 1 }),
      JSON.stringify({ uid: "x", id: "1", type: "view", ts: "soon" }),
    ]);
    const run = await t.run();
    expect(run.outcome).toBe("published");
    expect(run.log.skippedObjects).toEqual({ "not readable gzip": 1 });
    expect(run.log.skippedLines).toEqual({
      "not JSON": 1,
      "not a JSON object": 1,
      "uid, id or type missing": 1,
      "ts or received not an integer": 1,
    });
    expect(await t.records(run.version)).toEqual([{ uid: "ok", segments: ["805"] }]);
  });

  it("publishes a delta of the users whose segments changed, with deletes for those who left every segment; a rerun publishes nothing", async () => {
    const t = setup();
    await t.log([...views("stays", "auto", 3), ...views("leaves", "auto", 3), ...views("changes", "auto", 3)]);
    const first = await t.run();
    await t.log([
      ev("leaves", "erase", {}, 0, { id: "erase-2" }),
      ev("changes", "purchase", { category: "electronics", value: 800 }),
      ...views("joins", "auto", 3),
    ]);
    const second = await t.run(["--version", String(first.version + 1)]);
    expect(second).toMatchObject({ outcome: "published", kind: "delta", upserts: 2, deletes: 1 });
    expect(await t.records(second.version)).toEqual([
      { uid: "changes", segments: ["805", "942"] },
      { uid: "joins", segments: ["805"] },
      { uid: "leaves", delete: true },
    ]);
    expect(second.reach.segments.find((s) => s.id === "805")).toMatchObject({ members: 3, previous: 3, change: 0 });
    const third = await t.run();
    expect(third.outcome).toBe("unchanged");
    expect((await t.json("manifests/latest.json")).version).toBe(second.version);
  });

  it("publishes whole again once half the segment ttl has passed, so users and pages a delta leaves alone never lapse", async () => {
    const t = setup();
    await t.log([...views("stays", "auto", 3), ...views("moves", "auto", 3)]);
    const first = await t.run(["--segment-ttl", "2d"]);
    expect(first).toMatchObject({ outcome: "published", kind: "full" });
    await t.log([ev("moves", "purchase", { category: "electronics", value: 800 })]);
    // Within half the ttl: only who changed.
    const soon = Date.now() + 0.9 * DAY;
    const delta = await t.run(["--segment-ttl", "2d", "--version", String(first.version + 10)], {}, () => soon);
    expect(delta).toMatchObject({ outcome: "published", kind: "delta", upserts: 1 });
    expect((await t.records(delta.version)).map((r) => r.uid)).toEqual(["moves"]);
    // Nothing changed since, but a day and a half later every user is written again, the unchanged one included.
    const later = Date.now() + 1.5 * DAY;
    const renewed = await t.run(["--segment-ttl", "2d", "--version", String(first.version + 20)], {}, () => later);
    expect(renewed).toMatchObject({ outcome: "published", kind: "full" });
    expect((await t.records(renewed.version)).map((r) => r.uid)).toEqual(["moves", "stays"]);
    // And right after it, a rerun has nothing to do.
    const again = await t.run(["--segment-ttl", "2d"], {}, () => later + 1000);
    expect(again.outcome).toBe("unchanged");
  });

  it("stops without publishing a run that would empty more than --max-drop of the memberships, unless forced", async () => {
    const t = setup();
    await t.log([...views("a", "auto", 3), ...views("b", "auto", 3), ...views("c", "auto", 3)]);
    const first = await t.run();
    await t.log([ev("a", "erase", {}, 0, { id: "erase-a" }), ev("b", "erase", {}, 0, { id: "erase-b" })]);
    const stopped = await t.run(["--max-drop", "0.5"]);
    expect(stopped.outcome).toBe("stopped");
    expect(stopped.reason).toContain("remove 2 of the last run's 3 memberships");
    expect((await t.json("manifests/latest.json")).version).toBe(first.version);
    const forced = await t.run(["--max-drop", "0.5", "--force"]);
    expect(forced).toMatchObject({ outcome: "published", deletes: 2 });
  });

  it("publishes nothing when stopped before its manifest, and the next run diffs against the last published version", async () => {
    const t = setup();
    await t.log(views("a", "auto", 3));
    const first = await t.run();
    await t.log(views("b", "auto", 3));
    const failing = {
      ...t.origin,
      put: (key, ...rest) => (key.startsWith("manifests/") ? Promise.reject(new Error("connection reset")) : t.origin.put(key, ...rest)),
    };
    await expect(t.run(["--version", String(first.version + 1)], { origin: failing })).rejects.toThrow("connection reset");
    expect((await t.json("manifests/latest.json")).version).toBe(first.version);
    const next = await t.run(["--version", String(first.version + 2)]);
    expect(next).toMatchObject({ outcome: "published", kind: "delta", upserts: 1, deletes: 0 });
    expect(await t.records(next.version)).toEqual([{ uid: "b", segments: ["805"] }]);
    expect(await t.origin.get(stateKey(next.version))).not.toBeNull();
  });
});
