// The batch job's pure parts: arguments, the record each user gets, the guard, reach, the summary, segment files, log lines.
import { describe, expect, it } from "vitest";
import { ArgsError, parseBatchArgs } from "../../batch/args.mjs";
import { dropGuard, kindFor, recordFor } from "../../batch/diff.mjs";
import { REACH_KEY as JOB_REACH_KEY } from "../../batch/job.mjs";
import { checkRecord } from "../../batch/origin-parts.mjs";
import { pageKey } from "../../batch/page-url.mjs";
import { createProgress } from "../../batch/progress.mjs";
import { reachOf } from "../../batch/reach.mjs";
import { inWindow, lineProblem } from "../../batch/read-log.mjs";
import { objectKey, partitionOf } from "../../batch/sample-log.mjs";
import { orderSegments, parseSegmentFile } from "../../batch/segments.mjs";
import { formatSummary } from "../../batch/summary.mjs";
import { normalisePageUrl } from "../../domain/context/normalise-url.ts";
import * as edgeLog from "../../domain/event-log-format.ts";
import { REACH_KEY } from "../../domain/reach.ts";

const NOW = Date.parse("2026-12-04T12:00:00Z");

describe("batch arguments", () => {
  it("defaults to the local buckets npm start uses, and now", () => {
    const o = parseBatchArgs([], {}, NOW);
    expect(o.events).toEqual({ local: ".wrangler/state", bucket: "udn-events" });
    expect(o.origin).toEqual({ local: ".wrangler/state", bucket: "udn-origin" });
    expect(o).toMatchObject({
      asOf: NOW,
      kind: "auto",
      taxonomy: 4,
      minReach: 100,
      maxDrop: 0.5,
      force: false,
      sync: false,
      jsHeapMb: 128,
    });
  });

  it("reads a real account's buckets over S3 with keys from the environment only", () => {
    const env = { R2_ACCESS_KEY_ID: "k", R2_SECRET_ACCESS_KEY: "s" };
    const o = parseBatchArgs(["--s3-endpoint", "https://acct.r2.cloudflarestorage.com", "--origin-dir", "out"], env, NOW);
    expect(o.events).toEqual({ s3: "https://acct.r2.cloudflarestorage.com", bucket: "udn-events" });
    expect(o.origin).toEqual({ dir: "out", bucket: "udn-origin" });
    expect(o.s3Keys).toEqual({ accessKeyId: "k", secretAccessKey: "s" });
    expect(() => parseBatchArgs(["--s3-endpoint", "https://acct.r2.cloudflarestorage.com"], {}, NOW)).toThrow("R2_ACCESS_KEY_ID");
  });

  it("names the flag that is wrong", () => {
    const cases = [
      [["--kind", "partial"], "--kind must be auto, full or delta"],
      [["--max-drop", "2"], "--max-drop must be a share between 0 and 1"],
      [["--version", "0"], "--version must be an integer of at least 1"],
      [["--as-of", "yesterday"], "--as-of must be a date"],
      [["--since", "2026-12"], "--since must be a date YYYY-MM-DD"],
      [["--memory-limit", "lots"], "--memory-limit must look like"],
      [["--js-heap-mb", "16"], "--js-heap-mb must be an integer of at least 64"],
      [["--colour"], "Unknown option '--colour'"],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseBatchArgs(argv, {}, NOW), argv.join(" ")).toThrow(message);
      expect(() => parseBatchArgs(argv, {}, NOW)).toThrow(ArgsError);
    }
    expect(parseBatchArgs(["--as-of", "2026-12-01T00:00:00Z"], {}, NOW).asOf).toBe(Date.parse("2026-12-01T00:00:00Z"));
  });
});

describe("the record each user gets", () => {
  it("in a delta: new and changed lists, deletes for users who left every segment, nothing for the unchanged", () => {
    expect(recordFor(null, ["805"], "delta")).toEqual({ segments: ["805"] });
    expect(recordFor(["805"], ["805", "942"], "delta")).toEqual({ segments: ["805", "942"] });
    expect(recordFor(["805"], ["805"], "delta")).toBeNull();
    expect(recordFor(["805"], null, "delta")).toEqual({ delete: true });
    expect(recordFor(["805"], [], "delta")).toEqual({ delete: true });
    expect(recordFor(null, null, "delta")).toBeNull();
  });

  it("in a full version: every user with segments, changed or not, and deletes too", () => {
    expect(recordFor(["805"], ["805"], "full")).toEqual({ segments: ["805"] });
    expect(recordFor(["805"], null, "full")).toEqual({ delete: true });
  });

  it("stops a run that removes more than the allowed share of memberships, unless forced or first", () => {
    expect(dropGuard({ previous: 10, removed: 5 }, 0.5, false)).toBeNull();
    expect(dropGuard({ previous: 10, removed: 6 }, 0.5, false)).toContain("remove 6 of the last run's 10 memberships (60.0%");
    expect(dropGuard({ previous: 10, removed: 10 }, 0.5, true)).toBeNull();
    expect(dropGuard({ previous: 0, removed: 0 }, 0, false)).toBeNull();
  });

  it("publishes a delta only against a last run", () => {
    expect(kindFor("auto", false)).toBe("full");
    expect(kindFor("auto", true)).toBe("delta");
    expect(kindFor("auto", true, true)).toBe("full");
    expect(kindFor("delta", true, true)).toBe("delta");
    expect(kindFor("full", true)).toBe("full");
    expect(() => kindFor("delta", false)).toThrow("--kind delta needs a last run");
  });
});

describe("reach", () => {
  it("counts members, the change since the last run, and flags segments under the minimum", () => {
    const r = reachOf({
      version: 7,
      computedAt: NOW,
      minimum: 100,
      counts: { 805: 150, 942: 99 },
      previousCounts: { 805: 100, 1649: 5 },
      names: { 805: "A", 942: "B", 1649: "C" },
      taxonomy: 4,
    });
    expect(r).toEqual({
      version: 7,
      computedAt: "2026-12-04T12:00:00.000Z",
      minimum: 100,
      taxonomy: 4,
      segments: [
        { id: "805", name: "A", members: 150, previous: 100, change: 50, belowMinimum: false },
        { id: "942", name: "B", members: 99, previous: 0, change: 99, belowMinimum: true },
        { id: "1649", name: "C", members: 0, previous: 5, change: -5, belowMinimum: true },
      ],
    });
    expect(
      reachOf({ version: 1, computedAt: NOW, minimum: 0, counts: { 805: 1 }, previousCounts: null, names: {} }).segments[0],
    ).toMatchObject({
      previous: null,
      change: null,
      belowMinimum: false,
    });
  });

  it("is written where the admin API reads it", () => {
    expect(JOB_REACH_KEY).toBe(REACH_KEY);
  });
});

describe("summary and progress", () => {
  it("fits a run on one screen: skipped input by reason, segments with change and flag, parts", () => {
    const text = formatSummary({
      outcome: "published",
      version: 9,
      kind: "delta",
      destination: "the local bucket udn-origin",
      log: { objects: 12, lines: 3400, skippedObjects: { "not readable gzip": 1 }, skippedLines: { "not JSON": 2 } },
      events: { events: 3300, duplicates: 90, droppedUsers: 3, users: 400, linkedUids: 5, persons: 2 },
      reach: reachOf({
        version: 9,
        computedAt: NOW,
        minimum: 100,
        counts: { 805: 120, 942: 8 },
        previousCounts: { 805: 130 },
        names: { 805: "Auto", 942: "Electronics" },
      }),
      parts: 1,
      upserts: 20,
      deletes: 4,
      seconds: 2,
      peakRssMiB: 300,
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("batch: published version 9 (delta) to the local bucket udn-origin");
    expect(text).toContain("12 objects (1 skipped: not readable gzip 1), 3,400 lines (2 skipped: not JSON 2)");
    expect(text).toContain("3 users dropped (opt-out or erasure); 5 uids linked into 2 persons");
    expect(text).toMatch(/805 Auto\s+120 \(-10\)\n/);
    expect(text).toMatch(/942 Electronics\s+8 \(\+8\) {2}below 100/);
    expect(text).toContain("1 parts: 20 users with segments, 4 deletes");
    expect(text).toContain("1,700 lines/s, peak RSS 300 MiB");
    expect(lines.length).toBeLessThan(25);
  });

  it("counts pages beside users, and says when only pages were published", () => {
    const run = {
      outcome: "published",
      version: 9,
      kind: "delta",
      usersUnchanged: true,
      destination: "a folder",
      log: { objects: 1, lines: 10, skippedObjects: {}, skippedLines: {} },
      events: { events: 10, duplicates: 0, droppedUsers: 0, users: 3 },
      reach: reachOf({ version: 9, computedAt: NOW, minimum: 1, counts: {}, previousCounts: null, names: {} }),
      pages: { version: 10, kind: "delta", pages: 40, skippedUrls: 2, parts: 1, upserts: 3, deletes: 1, published: true },
      seconds: 1,
      peakRssMiB: 100,
    };
    const text = formatSummary(run);
    expect(text.split("\n")[0]).toBe("batch: no user's segments changed since version 9; pages published to a folder");
    expect(text).toContain(
      "pages     40 pages categorised; 2 addresses the edge would reject; version 10 (delta): 1 parts, 3 pages with categories, 1 deletes",
    );
  });

  it("shows every stage, and reading progress no more often than asked", () => {
    const out = [];
    let t = 0;
    const p = createProgress({ write: (l) => out.push(l), everyMs: 1000, now: () => t });
    p.stage("reading");
    p.tick("1 object");
    t = 1500;
    p.tick("2 objects");
    p.stage("segments");
    expect(out).toEqual(["batch: reading", "batch:   2 objects", "batch: segments"]);
    const quiet = [];
    createProgress({ quiet: true, write: (l) => quiet.push(l) }).stage("x");
    expect(quiet).toEqual([]);
  });
});

describe("segment files", () => {
  const file = (stem, sql, ids = ["805"]) =>
    parseSegmentFile(stem, `${ids.map((id) => `-- segment ${id}: Name ${id}`).join("\n")}\n${sql};\n`);

  it("declare their ids and run after the files whose tables they read", () => {
    const seed = file("seed", "SELECT uid, '805' AS segment FROM events");
    const like = file("b_like", "SELECT uid, '243' AS segment FROM events WHERE uid NOT IN (SELECT uid FROM segment_seed)", ["243"]);
    const other = file("a_other", "SELECT uid, '942' AS segment FROM events", ["942"]);
    expect(like.declared).toEqual([{ id: "243", name: "Name 243" }]);
    expect(like.sql.endsWith(";")).toBe(false);
    expect(orderSegments([like, seed, other]).map((f) => f.stem)).toEqual(["a_other", "seed", "b_like"]);
  });

  it("are refused when they cannot name a table, declare nothing, or read each other in a circle", () => {
    expect(() => file("auto-intender", "SELECT 1")).toThrow("must match");
    expect(() => parseSegmentFile("x", "SELECT uid, '1' AS segment FROM events")).toThrow(
      'declare each segment it returns in a line "-- segment <id>: <name>"',
    );
    expect(() => file("x", "SELECT 1", ["bad/id"])).toThrow(`segment id "bad/id" must match`);
    const a = file("a", "SELECT * FROM segment_b");
    const b = file("b", "SELECT * FROM segment_a");
    expect(() => orderSegments([a, b])).toThrow("in a circle: a → b → a");
  });
});

describe("log lines", () => {
  it("are used when they carry what the engine needs, and otherwise named by what is wrong", () => {
    const ok = { uid: "u1", id: "e1", type: "view", ts: 1, props: {}, received: 2 };
    expect(lineProblem(ok)).toBeNull();
    expect(lineProblem({ ...ok, received: undefined, props: undefined })).toBeNull();
    expect(lineProblem(null)).toBe("not a JSON object");
    expect(lineProblem({ ...ok, id: 5 })).toBe("uid, id or type missing");
    expect(lineProblem({ ...ok, uid: "has space" })).toBe("uid the origin would reject");
    expect(lineProblem({ ...ok, ts: 1.5 })).toBe("ts or received not an integer");
    expect(lineProblem({ ...ok, props: [] })).toBe("props not an object");
  });

  it("are read from --since on, by partition", () => {
    expect(inWindow("events/dt=2026-12-01/hr=00/x.ndjson.gz", "2026-12-01")).toBe(true);
    expect(inWindow("events/dt=2026-11-30/hr=23/x.ndjson.gz", "2026-12-01")).toBe(false);
    expect(inWindow("events/dt=2026-11-30/hr=23/x.ndjson.gz", undefined)).toBe(true);
  });

  it("are generated in the edge's own layout", () => {
    for (const t of [0, NOW, Date.parse("2026-12-31T23:59:59.999Z")]) expect(partitionOf(t)).toBe(edgeLog.partitionOf(t));
    expect(objectKey("events/dt=2026-12-04/hr=12/", NOW, "abcdef012345")).toBe(
      edgeLog.objectKey("events/dt=2026-12-04/hr=12/", NOW, "abcdef012345"),
    );
  });
});

describe("page records", () => {
  it("are keyed as the edge keys a page", () => {
    const urls = [
      "https://News.Example:443/a?utm_source=x&b=2&a=1#top",
      "http://news.example/a?a=1&b=2",
      "https://news.example:8080/caf%C3%A9/?q=a+b&gclid=1&FBCLID=2",
      "https://news.example/é?z=1&a=2&a=1",
      "https://news.example",
      "https:///no-host",
      "ftp://files.example/a",
      "/relative/path",
      "",
      `https://news.example/${"a".repeat(2030)}`,
      `https://news.example/${"a".repeat(2040)}`,
    ];
    for (const u of urls) expect(pageKey(u), u).toBe(normalisePageUrl(u)?.key ?? null);
    expect(pageKey("https://News.Example:443/a?utm_source=x&b=2&a=1#top")).toBe("news.example/a?a=1&b=2");
  });

  it("are checked as the sync checks them: an absolute http(s) address, segments or a delete", () => {
    expect(checkRecord({ url: "https://news.example/a", segments: ["533", "533", "483"] })).toEqual({
      record: { url: "https://news.example/a", segments: ["533", "483"] },
    });
    expect(checkRecord({ url: "https://news.example/a", delete: true })).toEqual({
      record: { url: "https://news.example/a", delete: true },
    });
    expect(checkRecord({ url: "/a", segments: ["1"] })).toEqual({
      error: "url must be an absolute http(s) URL of at most 2048 characters",
    });
    expect(checkRecord({ url: 7, segments: ["1"] })).toMatchObject({ error: expect.stringContaining("url must be") });
    expect(checkRecord({ url: "https://news.example/a", segments: ["bad id"] })).toMatchObject({
      error: expect.stringContaining("must match"),
    });
    // With a uid too, the edge reads a user's record.
    expect(checkRecord({ uid: "u1", url: "https://news.example/a", segments: ["1"] })).toEqual({ record: { uid: "u1", segments: ["1"] } });
  });

  it("come from batch/pages in Content Taxonomy 3.1 unless told otherwise", () => {
    expect(parseBatchArgs([], {}, NOW)).toMatchObject({ pagesDir: "batch/pages", pageTaxonomy: 9 });
    expect(parseBatchArgs(["--pages", "", "--page-taxonomy", ""], {}, NOW)).toMatchObject({ pagesDir: undefined, pageTaxonomy: undefined });
    expect(() => parseBatchArgs(["--page-taxonomy", "x"], {}, NOW)).toThrow("--page-taxonomy must be an integer");
  });
});
