// `npm run batch` as a newcomer runs it beside `npm start`: a child process on the local buckets (Miniflare's persisted R2).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { localBuckets } from "../../batch/buckets.mjs";
import { writeSampleLog } from "../../batch/sample-log.mjs";

const CLI = join(import.meta.dirname, "../../batch/run.mjs");
const dirs = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const batch = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

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
  it("reads the local event log and publishes into the local origin, where the Worker's bindings find them", async () => {
    const state = mkdtempSync(join(tmpdir(), "batch-cli-"));
    dirs.push(state);
    await withBuckets(state, (b) => writeSampleLog(b.events, { events: 3000, users: 300, end: Date.now() }));

    const first = batch("--persist-to", state, "--quiet", "--min-reach", "1", "--temp-dir", state);
    expect(first.status, first.stderr).toBe(0);
    const version = Number(/published version (\d+) \(full\) to the local bucket udn-origin/.exec(first.stdout)?.[1]);
    expect(version).toBeGreaterThan(0);
    expect(first.stdout).toMatch(/log\s+\d+ objects, 3,0\d\d lines/);

    await withBuckets(state, async (b) => {
      const manifest = JSON.parse(new TextDecoder().decode(await b.origin.get("manifests/latest.json")));
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
    expect(again.stdout).toContain(`no user's segments changed since version ${version}: nothing published`);
  }, 60_000);

  it("refuses a bad flag with its name and the usage, exit status 2", () => {
    const r = batch("--kind", "sometimes");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("batch: --kind must be auto, full or delta");
    expect(r.stderr).toContain("usage: npm run batch --");
  });
});
