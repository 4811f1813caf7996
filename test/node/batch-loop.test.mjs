// The loop, end to end: events through the Worker's fetch → the event log in R2 → the batch job (DuckDB, in Node) →
// the origin → cron → queue → the user's object → KV → a lookup; then an erasure and a second run that must not bring
// the user back. The built Worker runs in Miniflare (one workerd, the bindings of wrangler.toml, storage in memory).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseBatchArgs } from "../../batch/args.mjs";
import { r2Bucket } from "../../batch/buckets.mjs";
import { runBatch } from "../../batch/job.mjs";
import { createProgress } from "../../batch/progress.mjs";
import { build, host } from "../../bench/miniflare-host.mjs";
import { readDevVars } from "../../scripts/dev-vars.mjs";

const secrets = readDevVars();
const ADMIN = { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` };
const S2S = { Authorization: `Bearer ${secrets.API_KEYS.split(",")[0]}` };
const WAIT = { timeout: 60_000, interval: 250 };

let edge;
let work;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "batch-loop-"));
  // A short event-log window: each request's events leave the isolate at once (the queue still batches for 5 s).
  edge = await host(build("worker/index.ts", "batch-loop"), { port: 0, bindings: { EVENT_LOG_FLUSH_MS: "20" } });
}, 120_000);
afterAll(async () => {
  await edge?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

const call = (path, init) => edge.mf.dispatchFetch(new URL(path, edge.url), init);
const json = async (path, init) => (await call(path, init)).json();

/** A new browser: the signed cookie the edge sets, and the uid in it. */
async function browser() {
  const res = await call("/v1/segments");
  await res.arrayBuffer();
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith("udn_id="))
    ?.split(";")[0];
  expect(cookie).toBeDefined();
  return { cookie, uid: cookie.slice("udn_id=".length).split(".")[0] };
}

async function autoViews({ cookie }, n, tag) {
  const events = Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}`, type: "view", props: { category: "auto", url: `/cars/${i}` } }));
  const res = await call("/v1/events", {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/json" },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
  await res.arrayBuffer();
}

/** Every line in the EVENTS bucket, as the Worker wrote them. */
async function logLines() {
  const bucket = await edge.mf.getR2Bucket("EVENTS");
  const lines = [];
  for (const o of (await bucket.list({ prefix: "events/" })).objects) {
    const body = gunzipSync(Buffer.from(await (await bucket.get(o.key)).arrayBuffer())).toString();
    lines.push(
      ...body
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    );
  }
  return lines;
}

async function batch(version) {
  const opts = parseBatchArgs(
    ["--version", String(version), "--temp-dir", work, "--memory-limit", "256MB", "--min-reach", "2"],
    {},
    Date.now(),
  );
  const buckets = {
    events: r2Bucket(await edge.mf.getR2Bucket("EVENTS")),
    origin: r2Bucket(await edge.mf.getR2Bucket("ORIGIN")),
    destination: "ORIGIN",
  };
  return runBatch(opts, buckets, createProgress({ quiet: true }));
}

async function cronUntilApplied(version) {
  const worker = await edge.mf.getWorker();
  await worker.scheduled({ cron: "*/5 * * * *", scheduledTime: new Date() });
  await vi.waitFor(async () => expect((await json("/v1/admin/sync", { headers: ADMIN })).appliedVersion).toBe(version), WAIT);
}

const segmentsOf = async (uid) => {
  const res = await call(`/v1/users/${uid}/segments`, { headers: S2S });
  return res.status === 200 ? (await res.json()).segments : [];
};

/** The records a version's parts hold, by uid. */
async function published(version) {
  const origin = await edge.mf.getR2Bucket("ORIGIN");
  const manifest = await (await origin.get(`manifests/v${version}.json`)).json();
  const records = [];
  for (const p of manifest.parts) {
    const text = gunzipSync(Buffer.from(await (await origin.get(p.key)).arrayBuffer())).toString();
    records.push(
      ...text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    );
  }
  return { manifest, byUid: Object.fromEntries(records.map((r) => [r.uid, r])) };
}

describe("the batch loop", () => {
  it("computes a segment from events the Worker logged, syncs it to the lookup, and keeps an erased user out", async () => {
    const erased = await browser();
    const stays = await browser();
    await autoViews(erased, 3, "a");
    await autoViews(stays, 4, "b");
    await vi.waitFor(async () => expect((await logLines()).filter((l) => l.type === "view")).toHaveLength(7), WAIT);

    const first = await batch(1);
    expect(first).toMatchObject({ outcome: "published", kind: "full", upserts: 2 });
    const v1 = await published(1);
    expect(v1.manifest).toMatchObject({ version: 1, kind: "full", taxonomy: 4 });
    expect(v1.byUid[erased.uid]).toEqual({ uid: erased.uid, segments: ["805"] });

    await cronUntilApplied(1);
    // A user's object publishes to KV at most once a second: the lookup may trail the applied version by that much.
    await vi.waitFor(async () => expect(await segmentsOf(erased.uid)).toEqual(["805"]), WAIT);
    await vi.waitFor(async () => expect(await segmentsOf(stays.uid)).toEqual(["805"]), WAIT);
    const { reach } = await json("/v1/admin/segments", { headers: ADMIN });
    expect(reach.segments.find((s) => s.id === "805")).toMatchObject({ members: 2, previous: null, belowMinimum: false });

    const erase = await call(`/v1/users/${erased.uid}`, { method: "DELETE", headers: S2S });
    expect(erase.status).toBe(200);
    await erase.arrayBuffer();
    await vi.waitFor(async () => expect((await logLines()).some((l) => l.uid === erased.uid && l.type === "erase")).toBe(true), WAIT);

    const second = await batch(2);
    expect(second).toMatchObject({ outcome: "published", kind: "delta", upserts: 0, deletes: 1 });
    const v2 = await published(2);
    expect(v2.byUid).toEqual({ [erased.uid]: { uid: erased.uid, delete: true } });

    await cronUntilApplied(2);
    await vi.waitFor(async () => expect(await segmentsOf(erased.uid)).toEqual([]), WAIT);
    expect(await segmentsOf(stays.uid)).toEqual(["805"]);
    const after = (await json("/v1/admin/segments", { headers: ADMIN })).reach;
    expect(after).toMatchObject({ version: 2, minimum: 2 });
    expect(after.segments.find((s) => s.id === "805")).toMatchObject({ members: 1, previous: 2, change: -1, belowMinimum: true });
  }, 180_000);
});
