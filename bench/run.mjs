// `npm run bench`: builds the Worker, runs it in Miniflare on loopback, drives it with wrk, writes bench/results.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { readDevVars } from "../scripts/dev-vars.mjs";
import { eventsBench } from "./events-bench.mjs";
import { connectIsolate } from "./isolate-heap.mjs";
import { lookupBench } from "./lookup-bench.mjs";
import { build, host, pin } from "./miniflare-host.mjs";
import { ensureWrk, get, pinLoad, writeRequests, wrk } from "./wrk.mjs";

const secrets = readDevVars();

ensureWrk();
mkdirSync("dist/bench", { recursive: true });
console.error("building the bench Worker ...");
const script = build("bench/bench-worker.ts", "bench");
const INSPECTOR_PORT = 9249;
const h = await host(script, { inspectorPort: INSPECTOR_PORT });
// workerd on CPU 0, wrk on CPU 1 (when there are two), so neither takes the other's core.
const pinned = cpus().length >= 2 && pin(h.workerdPid(), 0);
if (pinned) pinLoad(1);
// The edge isolate's own heap (after a full collection), read over workerd's inspector.
const edge = await connectIsolate(INSPECTOR_PORT, "udn-edge", () => fetch(new URL("/healthz", h.url)).then((r) => r.arrayBuffer()));
/** Which parts run (all by default): e.g. BENCH_PARTS=lookup while working on the lookup path. */
const parts = (process.env.BENCH_PARTS ?? "lookup,events,sync,consent").split(",");
const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  tool: "wrk -t1 -c4",
  pinned: pinned ? "workerd on CPU 0, wrk on CPU 1" : "not pinned",
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  rounds: Number(process.env.BENCH_ROUNDS ?? 20),
  kv_rounds: Number(process.env.BENCH_KV_ROUNDS ?? 12),
  slice_seconds: Number(process.env.BENCH_SLICE_SECONDS ?? 2),
};
try {
  if (parts.includes("lookup")) results.lookup = await lookupBench(h, secrets, edge);
  // Events alone (BENCH_PARTS=events) take their control from a short /healthz run of their own.
  const control = results.lookup?.control ?? wrk(h.url, writeRequests("dist/bench/healthz.tsv", [get("/healthz")]), { seconds: 5 });
  if (parts.includes("events")) results.events = await eventsBench(h, secrets, control);
} finally {
  edge.close();
  await h.dispose();
}
// A partial run writes beside the full results, never over them.
writeFileSync(parts.includes("lookup") ? "bench/results.json" : "dist/bench/results-partial.json", `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));

// Sync runs in its own Miniflare with its own harness; it adds its figures under "sync".
// BENCH_SYNC_ARGS passes options through, e.g. "--users 20000 --skip-big" for a quick run.
const syncArgs = (process.env.BENCH_SYNC_ARGS ?? "").split(" ").filter(Boolean);
if (parts.includes("sync")) execFileSync("node", ["bench/sync-bench.mjs", ...syncArgs], { stdio: "inherit" });

// Consent runs in Node alone (CPU per decision); it adds its figures under "consent".
if (parts.includes("consent")) execFileSync("node", ["bench/consent-bench.mjs"], { stdio: "inherit" });
