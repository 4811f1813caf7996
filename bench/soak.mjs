// `npm run soak`: the built Worker in Miniflare under a mixed load (Zipf lookups, events, batch syncs) for
// SOAK_MINUTES (default 10); reports errors, p50/p99 and isolate memory per window, writes bench/soak-results.json.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { build, host, rssMiB } from "./miniflare-host.mjs";
import { clientIp, cookieFor, uidFor, zipf } from "./ids.mjs";
import { ensureWrk, wrkAsync, writeRequests } from "./wrk.mjs";
import { readDevVars } from "../scripts/dev-vars.mjs";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const WINDOW_S = Number(process.env.SOAK_WINDOW_SECONDS ?? 30);
const CACHE_ENTRIES = Number(process.env.SOAK_CACHE_ENTRIES ?? 30_000);
const SYNC_EVERY = 4;
/** Users per batch version: one local workerd runs every object, so a big sync stalls it (production spreads them). */
const SYNC_USERS = Number(process.env.SOAK_SYNC_USERS ?? 1_000);
const secrets = readDevVars();

ensureWrk();
mkdirSync("dist/bench", { recursive: true });
// Storage on disk, as wrangler dev keeps it: in memory, every user object's database would sit in the
// process and hide whether the edge isolate's own memory levels off.
const h = await host(build("bench/bench-worker.ts", "bench"), { persist: ".wrangler/soak-state" });
const at = (path) => new URL(path, h.url);
const json = async (path, init) => (await fetch(at(path), init)).json();

console.error("preparing: rules, users, request files ...");
await fetch(at("/v1/admin/segments"), { method: "PUT", headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` }, body: readFileSync("demo/segments.json") });
await json(`/__bench/cache-bound?entries=${CACHE_ENTRIES}`);
const draw = zipf(1_000_000, 1.0, 7);
const ranks = Array.from({ length: 300_000 }, draw);
const known = [...new Set(ranks)].filter((r) => r % 5 === 0).map((r) => uidFor(`soak-${r}`));
for (let i = 0; i < known.length; i += 1000) await json("/__bench/seed", { method: "POST", body: JSON.stringify(known.slice(i, i + 1000)) });
const lookups = writeRequests("dist/bench/soak-lookups.tsv", ranks.map((r) => `GET\t/v1/segments\tCookie: ${cookieFor(uidFor(`soak-${r}`), secrets.UID_SECRET)}\t-`));
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
const rssStart = rssMiB(h.workerdPid());
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
  const row = {
    t_s: Math.round((Date.now() - started) / 1000),
    lookups: l,
    events: e,
    rss_mib: rssMiB(h.workerdPid()),
    cache_entries: cache.entries,
    cache_mib: +(cache.bytes / 1048576).toFixed(1),
    sync: { started: sync?.outcome ?? null, applied_version: status.appliedVersion, failures: status.failures },
  };
  windows.push(row);
  console.error(
    `t=${row.t_s}s lookups ${l.rps}/s p50 ${l.p50_ms}ms p99 ${l.p99_ms}ms err ${l.errors} | events ${e.rps}/s p99 ${e.p99_ms}ms err ${e.errors} | rss ${row.rss_mib} MiB cache ${row.cache_entries} | sync v${status.appliedVersion}`,
  );
}
await h.dispose();

const full = windows.filter((w) => w.cache_entries >= CACHE_ENTRIES * 0.99);
const rssFull = full.map((w) => w.rss_mib);
const errors = windows.reduce((n, w) => n + w.lookups.errors + w.events.errors, 0);
const result = {
  date: new Date().toISOString(),
  minutes: MINUTES,
  window_seconds: WINDOW_S,
  cache_max_entries: CACHE_ENTRIES,
  errors,
  sync_failures: windows.at(-1)?.sync.failures ?? 0,
  rss_start_mib: rssStart,
  rss_when_cache_full: rssFull.length ? { first: rssFull[0], last: rssFull.at(-1), max: Math.max(...rssFull), min: Math.min(...rssFull) } : null,
  windows,
};
writeFileSync("bench/soak-results.json", JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify({ ...result, windows: `${windows.length} windows in bench/soak-results.json` }, null, 2));
if (errors > 0 || result.sync_failures > 0) process.exitCode = 1;
