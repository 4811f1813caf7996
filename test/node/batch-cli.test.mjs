// `npm run batch` as a newcomer runs it beside `npm start`: a child process on the local buckets (Miniflare's persisted R2).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it, vi } from "vitest";
import { dirBucket, localBuckets } from "../../batch/buckets.mjs";
import { sampleUid, writeSampleLog } from "../../batch/sample-log.mjs";
import { build, host } from "../../bench/miniflare-host.mjs";
import { readDevVars } from "../../scripts/dev-vars.mjs";

const CLI = join(import.meta.dirname, "../../batch/run.mjs");
const dirs = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const batch = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
const batchAsync = (args, env) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });

/** The local buckets of a state folder, opened for one call and closed again (as the job opens them). */
async function withBuckets(persistTo, fn) {
  const b = await localBuckets({ persistTo, events: "udn-events", origin: "udn-origin" });
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

describe("npm run batch", () => {
  it("reads the local event log and publishes into the local origin; a rerun publishes nothing", async () => {
    const state = mkdtempSync(join(tmpdir(), "batch-cli-"));
    dirs.push(state);
    await withBuckets(state, (b) => writeSampleLog(b.events, { events: 3000, users: 300, end: Date.now(), days: 2 }));

    const first = batch("--persist-to", state, "--quiet", "--min-reach", "1", "--temp-dir", state);
    expect(first.status, first.stderr).toBe(0);
    const version = Number(/published version (\d+) \(full\) to the local bucket udn-origin/.exec(first.stdout)?.[1]);
    expect(version).toBeGreaterThan(0);
    expect(first.stdout).toMatch(/log\s+\d+ objects, 3,0\d\d lines/);

    // The generated log's pages are read by many: their categories follow in a version of their own.
    expect(first.stdout).toMatch(new RegExp(`pages\\s+[\\d,]+ pages categorised; version ${version + 1} \\(full\\)`));
    await withBuckets(state, async (b) => {
      expect(JSON.parse(new TextDecoder().decode(await b.origin.get("manifests/latest.json")))).toMatchObject({
        version: version + 1,
        taxonomy: 9,
      });
      const manifest = JSON.parse(new TextDecoder().decode(await b.origin.get(`manifests/v${version}.json`)));
      expect(manifest).toMatchObject({ version, kind: "full", taxonomy: 4 });
      const lines = gunzipSync(await b.origin.get(manifest.parts[0].key))
        .toString()
        .trim()
        .split("\n");
      expect(lines.length).toBe(manifest.parts[0].records);
      expect(lines.length).toBeGreaterThan(0);
      const reach = JSON.parse(new TextDecoder().decode(await b.origin.get("reach/latest.json")));
      expect(reach.version).toBe(version);
    });

    const again = batch("--persist-to", state, "--quiet", "--temp-dir", state);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`no user's segments changed since version ${version + 1}: nothing published`);
  }, 60_000);

  it("publishes beside a running Worker on the same local storage, and --sync starts the sync through the admin API", async () => {
    const state = mkdtempSync(join(tmpdir(), "batch-cli-"));
    dirs.push(state);
    await withBuckets(state, (b) => writeSampleLog(b.events, { events: 3000, users: 300, end: Date.now(), days: 2 }));
    const edge = await host(build("worker/index.ts", "batch-cli"), { port: 0, storage: join(state, "v3") });
    try {
      const { ADMIN_TOKEN, API_KEYS } = readDevVars();
      const url = edge.url.href.replace(/\/$/, "");
      // Not spawnSync: the Worker answering the sync runs in this process's event loop.
      const r = await batchAsync(["--persist-to", state, "--quiet", "--temp-dir", state, "--sync", "--edge", url], {
        UDN_ADMIN_TOKEN: ADMIN_TOKEN,
      });
      expect(r.status, r.stderr).toBe(0);
      const version = Number(/published version (\d+)/.exec(r.stdout)?.[1]);
      expect(r.stdout).toContain(`sync      POST ${url}/v1/admin/sync: 202 {"version":${version},"outcome":"start"`);
      const call = async (path, token) =>
        (await edge.mf.dispatchFetch(new URL(path, edge.url), { headers: { Authorization: `Bearer ${token}` } })).json();
      // The users' version, then the pages' one after it.
      await vi.waitFor(async () => expect((await call("/v1/admin/sync", ADMIN_TOKEN)).appliedVersion).toBeGreaterThanOrEqual(version), {
        timeout: 30_000,
        interval: 250,
      });
      // The log's busiest user leans to auto (the generator's first category): the 90-day intender.
      await vi.waitFor(
        async () => expect((await call(`/v1/users/${sampleUid(0)}/segments`, API_KEYS.split(",")[0])).segments).toContain("805"),
        {
          timeout: 30_000,
          interval: 250,
        },
      );
    } finally {
      await edge.dispose();
    }
  }, 120_000);

  it("ends with status 1 and the error when the run fails in its thread, and within a small JavaScript heap otherwise", async () => {
    const root = mkdtempSync(join(tmpdir(), "batch-cli-"));
    dirs.push(root);
    const events = join(root, "events");
    await writeSampleLog(dirBucket(events), { events: 2000, users: 200, end: Date.now(), days: 1 });
    const segments = join(root, "segments");
    mkdirSync(segments);
    writeFileSync(join(segments, "broken.sql"), "-- segment 1: One\nSELECT uid, '1' AS segment FROM no_such_table");
    const common = ["--events-dir", events, "--origin-dir", join(root, "origin"), "--temp-dir", root, "--quiet"];
    const failed = batch(...common, "--segments", segments);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("no_such_table");
    expect(failed.stdout).toBe("");
    // The smallest heap the flag allows is enough for the job's own JavaScript.
    const small = batch(...common, "--js-heap-mb", "64");
    expect(small.status, small.stderr).toBe(0);
    expect(small.stdout).toMatch(/^batch: published version \d+ \(full\)/);
  }, 60_000);

  it("refuses a bad flag with its name and the usage, exit status 2", () => {
    const r = batch("--kind", "sometimes");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("batch: --kind must be auto, full or delta");
    expect(r.stderr).toContain("usage: npm run batch --");
  });
});
