#!/usr/bin/env node
// Sync benchmark: users applied per second end to end (origin:publish output → cron/POST → verify → queue → objects)
// for a 100,000-user snapshot, against direct Durable Object writes of the same records at the same concurrency,
// measured in the same run on the same Miniflare; plus workerd's peak memory, and a large part verified
// end to end to show that memory does not follow part size.
//
// usage: npm run bench:sync -- [--users 100000] [--big-records 4000000] [--big-plain] [--skip-big]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const { values: opt } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    "big-records": { type: "string", default: "4000000" },
    "skip-big": { type: "boolean", default: false },
    "big-plain": { type: "boolean", default: false },
  },
});
const USERS = Number(opt.users);
const ADMIN = "bench-admin-token";
/** Same as sync/apply-slice.ts APPLY_CONCURRENCY and domain/sync-messages.ts RECORDS_PER_SLICE. */
const CONCURRENCY = 32;
const PER_SLICE = 900;
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const sh = (cmd, args) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], env }).toString();

console.log("building the Worker (wrangler deploy --dry-run)…");
sh("npx", ["wrangler", "deploy", "--dry-run", "--outdir", "dist"]);

// The control: the same applyBatch calls, straight from a Worker to the objects, one "slice" per request.
const HARNESS = `
export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    if (u.pathname === "/big") {
      // Writes a large gzip part straight into the origin bucket (Miniflare's proxy refuses large uploads).
      const records = Number(u.searchParams.get("records"));
      const plain = u.searchParams.get("plain") === "1";
      const enc = new TextEncoder();
      let raw = 0;
      const body = new ReadableStream({
        i: 0,
        pull(ctl) {
          if (this.i >= records) return ctl.close();
          let chunk = "";
          for (const end = Math.min(records, this.i + 10000); this.i < end; this.i++) {
            chunk += JSON.stringify({ uid: "big-user-" + this.i, segments: ["607", "608", "609", String(1000 + (this.i % 500))] }) + "\\n";
          }
          raw += chunk.length;
          ctl.enqueue(enc.encode(chunk));
        },
      });
      const gz = new Uint8Array(await new Response(plain ? body : body.pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
      const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", gz))].map((b) => b.toString(16).padStart(2, "0")).join("");
      const key = plain ? "batches/big/part-00000.ndjson" : "batches/big/part-00000.ndjson.gz";
      await env.ORIGIN.put(key, gz);
      return Response.json({ key, sha256: sha, records, rawBytes: raw, gzipBytes: gz.length });
    }
    const prefix = u.searchParams.get("prefix"), from = Number(u.searchParams.get("from")), n = Number(u.searchParams.get("n"));
    const c = Number(u.searchParams.get("c")), version = Number(u.searchParams.get("v"));
    const inFlight = new Set();
    for (let i = from; i < from + n; i++) {
      const uid = prefix + i;
      const p = env.USER_PROFILE.getByName(uid)
        .applyBatch(uid, { version, segments: [String(600 + (i % 40)), String(1000 + (i % 7))], ttlMs: 86400000, taxonomy: 4 })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= c) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return new Response("ok");
  },
};`;

// Miniflare keeps each object's SQLite file under the temp dir; on a disk, an fsync per write would measure the
// disk rather than the code (tens of users per second here), so the bench puts them in memory (tmpfs).
if (existsSync("/dev/shm") && !process.env.UDN_BENCH_DISK) {
  process.env.TMPDIR = mkdtempSync("/dev/shm/udn-bench-");
}
// wrangler checks secrets.required against the environment; these are the bench's own values.
Object.assign(process.env, { UID_SECRET: "bench-uid-secret", API_KEYS: "bench-key", ADMIN_TOKEN: ADMIN });
const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
const mf = new Miniflare(
  convertV4MiniflareOptions({
    workers: [
      {
        // Only what this Worker declares; the v4 → v5 conversion refuses options it cannot carry over.
        ...Object.fromEntries(
          [
            "compatibilityDate",
            "compatibilityFlags",
            "kvNamespaces",
            "r2Buckets",
            "queueProducers",
            "queueConsumers",
            "durableObjects",
          ].map((k) => [k, workerOptions[k]]),
        ),
        name: "udn-edge",
        modules: true,
        scriptPath: "dist/index.js",
        modulesRoot: "dist",
        bindings: { ...workerOptions.bindings, UID_SECRET: "bench-uid-secret", API_KEYS: "bench-key", ADMIN_TOKEN: ADMIN },
      },
      {
        name: "harness",
        modules: true,
        script: HARNESS,
        compatibilityDate: workerOptions.compatibilityDate,
        durableObjects: { USER_PROFILE: { className: "UserProfile", scriptName: "udn-edge", useSQLite: true } },
        // The same bucket as the edge's: large uploads go through a Worker, not Miniflare's proxy.
        r2Buckets: { ORIGIN: workerOptions.r2Buckets.ORIGIN },
      },
    ],
  }),
);
await mf.ready;
const edge = (path, init) => mf.dispatchFetch(`http://edge.bench${path}`, init);
const harness = await mf.getWorker("harness");
const origin = await mf.getR2Bucket("ORIGIN", "udn-edge");

/**
 * workerd's anonymous resident memory (heap and native allocations; not the tmpfs pages of the simulators'
 * files), sampled. Miniflare runs every worker and the storage simulators in this one process.
 */
function workerdPids() {
  const out = [];
  const walk = (pid) => {
    for (const line of sh("ps", ["-o", "pid=,comm=", "--ppid", String(pid)])
      .split("\n")
      .filter(Boolean)) {
      const [child, comm] = line.trim().split(/\s+/);
      if (comm === "workerd") out.push(Number(child));
      walk(Number(child));
    }
  };
  try {
    walk(process.pid);
  } catch {}
  return out;
}
function rssMB(pids) {
  let kb = 0;
  for (const pid of pids) {
    const m = /RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    kb += Number(m?.[1] ?? 0);
  }
  return kb / 1024;
}
function sampler(pids) {
  let peak = rssMB(pids);
  const timer = setInterval(() => (peak = Math.max(peak, rssMB(pids))), 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

async function publish(file, version, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "udn-bench-out-"));
  sh("node", ["scripts/origin-publish.mjs", file, "--version", String(version), "--taxonomy", "4", "--out-dir", dir, ...extra]);
  const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  // Parts first, manifests last, as the tool does against a bucket.
  const files = walk(dir).sort((a, b) => Number(a.includes("/manifests/")) - Number(b.includes("/manifests/")));
  for (const f of files) await origin.put(relative(dir, f), readFileSync(f));
}

async function status() {
  return (await edge("/v1/admin/sync", { headers: { Authorization: `Bearer ${ADMIN}` } })).json();
}

async function syncAndWait(version) {
  const t0 = performance.now();
  const res = await edge("/v1/admin/sync", { method: "POST", headers: { Authorization: `Bearer ${ADMIN}` } });
  await res.text();
  for (;;) {
    const s = await status();
    if (s.appliedVersion >= version) return { ms: performance.now() - t0, status: s };
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function direct(prefix, n, version) {
  const t0 = performance.now();
  for (let from = 0; from < n; from += PER_SLICE) {
    const res = await harness.fetch(
      `http://harness/?prefix=${prefix}&from=${from}&n=${Math.min(PER_SLICE, n - from)}&c=${CONCURRENCY}&v=${version}`,
    );
    if (!res.ok) throw new Error(await res.text());
    await res.text();
  }
  return performance.now() - t0;
}

const work = mkdtempSync(join(tmpdir(), "udn-bench-"));
const snapshot = join(work, "snapshot.ndjson");
writeFileSync(
  snapshot,
  `${Array.from({ length: USERS }, (_, i) => JSON.stringify({ uid: `sync-${i}`, segments: [String(600 + (i % 40)), String(1000 + (i % 7))] })).join("\n")}\n`,
);

const pids = workerdPids();
const baseline = rssMB(pids);
console.log(`workerd processes: ${pids.length}, baseline anonymous RSS ${baseline.toFixed(0)} MB`);

// Half the control before the sync and half after (as many objects written as the sync writes): machine noise
// that drifts over the run lands on both sides.
const half = Math.ceil(USERS / 2);
const control1 = await direct("direct-a-", half, 1);
await publish(snapshot, 1);
const stopSampling = sampler(pids);
const sync = await syncAndWait(1);
const syncPeak = stopSampling();
const control2 = await direct("direct-b-", USERS - half, 1);
const controlMs = control1 + control2;
const syncRate = USERS / (sync.ms / 1000);
const directRate = USERS / (controlMs / 1000);
if (sync.status.lastRun.usersApplied !== USERS) throw new Error(`sync applied ${sync.status.lastRun.usersApplied} of ${USERS}`);

let big = null;
if (!opt["skip-big"]) {
  // Large gzip parts verified end to end. Each manifest names one record more than its part has: the verifier
  // streams, hashes, decompresses, stages and plans all of it, then rejects it at the count (nothing applied).
  // workerd collects garbage lazily here (no 128 MB limit locally), so a first pass over a size shows the heap
  // growing; the second pass over the same size shows what the code keeps. Two sizes, ten times apart.
  const large = Number(opt["big-records"]);
  big = [];
  let version = 2;
  for (const records of [Math.round(large / 10), large]) {
    const entry = { records, passes: [] };
    for (let pass = 0; pass < 2; pass++, version++) {
      const made = await (await harness.fetch(`http://harness/big?records=${records}&plain=${opt["big-plain"] ? 1 : 0}`)).json();
      const m = { version, kind: "full", parts: [{ key: made.key, records: records + 1, sha256: made.sha256 }], segmentTtl: "3d" };
      await origin.put("manifests/latest.json", JSON.stringify(m));
      const before = rssMB(pids);
      const stop = sampler(pids);
      const r = await syncAndWait(version);
      const peak = stop();
      const reason = r.status.lastRun.rejectedParts[0]?.reason ?? "";
      if (!reason.includes(`has ${records} records`)) throw new Error(`unexpected outcome: ${JSON.stringify(r.status.lastRun)}`);
      entry.uncompressedMB = +(made.rawBytes / 2 ** 20).toFixed(1);
      entry.gzipMB = +(made.gzipBytes / 2 ** 20).toFixed(1);
      entry.passes.push({
        seconds: +(r.ms / 1000).toFixed(1),
        uncompressedMBps: +(made.rawBytes / 2 ** 20 / (r.ms / 1000)).toFixed(0),
        anonBeforeMB: +before.toFixed(0),
        anonPeakMB: +peak.toFixed(0),
        anonGrowthMB: +(peak - before).toFixed(0),
      });
    }
    big.push(entry);
  }
}
await mf.dispose();

const result = {
  at: new Date().toISOString(),
  machine: "2 shared cores",
  users: USERS,
  sync: {
    seconds: +(sync.ms / 1000).toFixed(1),
    usersPerSecond: Math.round(syncRate),
    slices: sync.status.lastRun.slices,
    failures: sync.status.lastRun.failures,
  },
  controlDirectWrites: {
    seconds: +(controlMs / 1000).toFixed(1),
    usersPerSecond: Math.round(directRate),
    halves: [+(control1 / 1000).toFixed(1), +(control2 / 1000).toFixed(1)],
  },
  ratioToControl: +(syncRate / directRate).toFixed(2),
  memory: { workerdAnonBaselineMB: +baseline.toFixed(0), workerdAnonPeakDuringSyncMB: +syncPeak.toFixed(0) },
  bigPartVerification: big,
};
console.log(JSON.stringify(result, null, 2));
const path = "bench/results.json";
const all = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
all.sync = result;
writeFileSync(path, `${JSON.stringify(all, null, 2)}\n`);
console.log(`written to ${path} (key "sync")`);
