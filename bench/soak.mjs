// `npm run soak`: the built Worker in Miniflare under a mixed load (Zipf lookups, events, batch syncs) for
// SOAK_MINUTES (default 10); reports errors, p50/p99 and the edge isolate's heap per window, writes bench/soak-results.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readDevVars } from "../scripts/dev-vars.mjs";
import { heapTrend } from "./heap-trend.mjs";
import { clientIp, cookieFor, uidFor, zipf } from "./ids.mjs";
import { connectIsolate } from "./isolate-heap.mjs";
import { build, host, OBJECTS_WORKER, rssMiB } from "./miniflare-host.mjs";
import { ensureWrk, writeRequests, wrkAsync } from "./wrk.mjs";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const WINDOW_S = Number(process.env.SOAK_WINDOW_SECONDS ?? 30);
const CACHE_ENTRIES = Number(process.env.SOAK_CACHE_ENTRIES ?? 15_000);
/** The verified-cookie memo, bounded alike so that it fills within the run too (deployed: 50,000). */
const COOKIE_ENTRIES = Number(process.env.SOAK_COOKIE_ENTRIES ?? CACHE_ENTRIES);
/**
 * What the edge heap may still do once the cache is full and be called level: after a full collection it
 * moves by a few hundred KiB between windows; a leak of 10 bytes a request shows as 0.3 MiB a minute here.
 */
const HEAP_TOLERANCE = {
  slopeMibPerMin: Number(process.env.SOAK_HEAP_SLOPE_MIB_PER_MIN ?? 0.25),
  bandMib: Number(process.env.SOAK_HEAP_BAND_MIB ?? 2),
};
// Not 8799: that is the lookup bench's, which may run beside the soak.
const PORT = Number(process.env.SOAK_PORT ?? 8798);
const INSPECTOR_PORT = Number(process.env.SOAK_INSPECTOR_PORT ?? 9239);
const SYNC_EVERY = 4;
/** Users per batch version: one local workerd runs every object, so a big sync stalls it (production spreads them). */
const SYNC_USERS = Number(process.env.SOAK_SYNC_USERS ?? 300);
/** workerd's warning that a request's promise continuation was dropped (see worker/events/event-log.ts). */
const CROSS_REQUEST = "from a different request context";
const secrets = readDevVars();

ensureWrk();
mkdirSync("dist/bench", { recursive: true });
let crossRequestWarnings = 0;
// Storage on disk, as wrangler dev keeps it. The objects run in a worker of their own, so the edge
// isolate's heap is the edge's alone: lookups, events, and the queue consumers, which are the edge's too.
const h = await host(build("bench/bench-worker.ts", "bench"), {
  persist: ".wrangler/soak-state",
  port: PORT,
  inspectorPort: INSPECTOR_PORT,
  objectsApart: true,
  onLog({ level, message }) {
    if (message.includes(CROSS_REQUEST)) crossRequestWarnings++;
    else (level === "error" || level === "warn" ? console.error : console.log)(message);
  },
});
const at = (path) => new URL(path, h.url);
const json = async (path, init) => (await fetch(at(path), init)).json();
const edge = await connectIsolate(INSPECTOR_PORT, "udn-edge", () => fetch(at("/healthz")).then((r) => r.arrayBuffer()));
const objectsWorker = await h.mf.getWorker(OBJECTS_WORKER);
const objects = await connectIsolate(INSPECTOR_PORT, OBJECTS_WORKER, () =>
  objectsWorker.fetch("http://objects/healthz").then((r) => r.arrayBuffer()),
);

console.error("preparing: rules, users, request files ...");
await fetch(at("/v1/admin/segments"), {
  method: "PUT",
  headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
  body: readFileSync("demo/segments.json"),
});
await json(`/__bench/cache-bound?entries=${CACHE_ENTRIES}&cookies=${COOKIE_ENTRIES}`);
const draw = zipf(1_000_000, 1.0, 7);
const ranks = Array.from({ length: 300_000 }, draw);
const known = [...new Set(ranks)].filter((r) => r % 5 === 0).map((r) => uidFor(`soak-${r}`));
for (let i = 0; i < known.length; i += 1000)
  await json("/__bench/seed", { method: "POST", body: JSON.stringify(known.slice(i, i + 1000)) });
const lookups = writeRequests(
  "dist/bench/soak-lookups.tsv",
  ranks.map((r) => `GET\t/v1/segments\tCookie: ${cookieFor(uidFor(`soak-${r}`), secrets.UID_SECRET)}\t-`),
);
const eventUsers = Array.from({ length: 500 }, (_, i) => cookieFor(uidFor(`soak-ev-${i}`), secrets.UID_SECRET));
const events = writeRequests(
  "dist/bench/soak-events.tsv",
  Array.from({ length: 100_000 }, (_, i) => {
    const body = JSON.stringify({ events: [{ id: `s${i}`, type: "view", props: { category: i % 3 ? "auto" : "news", url: "/cars/x" } }] });
    return `POST\t/v1/events\tContent-Type: text/plain || Cookie: ${eventUsers[i % eventUsers.length]} || CF-Connecting-IP: ${clientIp(i)}\t${body}`;
  }),
);

const windows = [];
const started = Date.now();
const before = { heap: await edge.heap(), objects_heap: await objects.heap(), rss_mib: rssMiB(h.workerdPid()) };
console.error(`before the load: edge heap ${before.heap.used_mib} MiB | workerd rss ${before.rss_mib} MiB`);
// Each window goes on where the last one stopped: the Zipf sequence keeps bringing new users, so the cache fills.
let lookupsDone = 0;
let eventsDone = 0;
for (let w = 0; (Date.now() - started) / 60_000 < MINUTES; w++) {
  // A new batch version every few windows, synced while the load runs.
  const sync = w % SYNC_EVERY === 0 ? await json(`/__bench/publish?version=${w + 1}&users=${SYNC_USERS}`) : null;
  const [l, e] = await Promise.all([
    wrkAsync(h.url, lookups, { seconds: WINDOW_S, connections: 3, start: lookupsDone }),
    wrkAsync(h.url, events, { seconds: WINDOW_S, connections: 1, start: eventsDone }),
  ]);
  lookupsDone += l.requests;
  eventsDone += e.requests;
  const cache = await json("/__bench/stats");
  const status = await json("/__bench/sync-status");
  const heap = await edge.heap();
  const row = {
    t_s: Math.round((Date.now() - started) / 1000),
    lookups: l,
    events: e,
    heap,
    // Cookies the edge remembers as verified (verifiedCookies in worker/isolate.ts), the other per-browser memory it holds.
    verified_cookies: cache.verified_cookies,
    objects_heap: await objects.heap(),
    workerd_rss_mib: rssMiB(h.workerdPid()),
    cache_entries: cache.entries,
    cache_mib: +(cache.bytes / 1048576).toFixed(1),
    sync: { started: sync?.outcome ?? null, applied_version: status.appliedVersion, failures: status.failures },
    cross_request_warnings: crossRequestWarnings,
  };
  windows.push(row);
  console.error(
    `t=${row.t_s}s lookups ${l.rps}/s p50 ${l.p50_ms}ms p99 ${l.p99_ms}ms err ${l.errors} | events ${e.rps}/s p99 ${e.p99_ms}ms err ${e.errors} | edge heap ${heap.used_mib} MiB (objects ${row.objects_heap.used_mib}) | verified cookies ${row.verified_cookies} | workerd rss ${row.workerd_rss_mib} MiB | cache ${row.cache_entries} | sync v${status.appliedVersion}`,
  );
}
edge.close();
objects.close();
await h.dispose();

// Full: the profile cache and the verified-cookie memo both at their bounds, so neither may grow any more.
const full = windows.filter((w) => w.cache_entries >= CACHE_ENTRIES * 0.99 && w.verified_cookies >= COOKIE_ENTRIES * 0.99);
const rssFull = full.map((w) => w.workerd_rss_mib);
const errors = windows.reduce((n, w) => n + w.lookups.errors + w.events.errors, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const latency = (kind) => ({
  p50_ms_median: median(windows.map((w) => w[kind].p50_ms)),
  p99_ms_median: median(windows.map((w) => w[kind].p99_ms)),
  p99_ms_max: Math.max(...windows.map((w) => w[kind].p99_ms)),
});
const heap = heapTrend(
  full.map((w) => ({ t_s: w.t_s, mib: w.heap.used_mib })),
  HEAP_TOLERANCE,
);
const result = {
  date: new Date().toISOString(),
  minutes: MINUTES,
  window_seconds: WINDOW_S,
  cache_max_entries: CACHE_ENTRIES,
  verified_cookies_max_entries: COOKIE_ENTRIES,
  errors,
  sync_failures: windows.at(-1)?.sync.failures ?? 0,
  cross_request_warnings: crossRequestWarnings,
  lookups: latency("lookups"),
  events: latency("events"),
  edge_heap_before_load_mib: before.heap.used_mib,
  objects_heap_before_load_mib: before.objects_heap.used_mib,
  edge_heap_when_cache_full: heap,
  cache_full_from_t_s: full[0]?.t_s ?? null,
  workerd_rss_before_load_mib: before.rss_mib,
  workerd_rss_when_cache_full: rssFull.length
    ? { first: rssFull[0], last: rssFull.at(-1), max: Math.max(...rssFull), min: Math.min(...rssFull) }
    : null,
  windows,
};
const failed = Object.entries({
  heap: !heap.pass,
  errors: errors > 0,
  sync: result.sync_failures > 0,
  cross_request_warnings: crossRequestWarnings > 0,
});
result.failed = failed.filter(([, f]) => f).map(([k]) => k);
const pass = result.failed.length === 0;
result.verdict = pass ? "pass" : "fail";
writeFileSync("bench/soak-results.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ ...result, windows: `${windows.length} windows in bench/soak-results.json` }, null, 2));
if (!pass) process.exitCode = 1;
