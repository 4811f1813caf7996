// KV reads per lookup with and without the location's cache: the Zipf mix over several isolates of one location.
// Counts, not timings: the figures do not move with this machine's noise. `npm run bench:location`.
import { writeFileSync } from "node:fs";
import { readDevVars } from "../scripts/dev-vars.mjs";
import { uidFor, zipf } from "./ids.mjs";
import { build, host } from "./miniflare-host.mjs";

const USERS = 1_000_000;
const LOOKUPS = Number(process.env.LOCATION_LOOKUPS ?? 24_000);
/**
 * Lookups a second, held steady: the caches' TTLs run on the wall clock, so a run that went faster or slower (the tier
 * adds a cache read to each miss) would see fewer or more entries expire, and the two would not compare.
 */
const RATE = Number(process.env.LOCATION_RATE ?? 300);
const ISOLATES = [1, 4, 16];
const vars = readDevVars();
const apiKey = vars.API_KEYS.split(",")[0];

const script = build("worker/index.ts", "location-bench");
const draw = zipf(USERS, 1.0);
const ranks = Array.from({ length: LOOKUPS }, draw);
// 20 % of users have a record, as in the lookup benchmark's mix.
const known = [...new Set(ranks)].filter((r) => r % 5 === 0);

/** Which isolate serves each lookup: seeded, so every run spreads the same sequence the same way. */
function spread(n, seed = 7) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x % n;
  };
}

async function run(isolates, tierSeconds) {
  const { mf, dispose } = await host(script, { port: 0, edges: isolates, bindings: { LOCATION_CACHE_S: String(tierSeconds) } });
  try {
    const kv = await mf.getKVNamespace("PROFILES");
    for (const r of known) await kv.put(`u:${uidFor(`mix-${r}`)}`, "1|1795700000000|4:244,607");
    const names = ["udn-edge", ...Array.from({ length: isolates - 1 }, (_, i) => `udn-edge-${i + 1}`)];
    const workers = await Promise.all(names.map((n) => mf.getWorker(n)));
    const pick = spread(isolates);
    // The custom domain the Cache API needs in production; Miniflare's cache works on any host.
    const base = "https://edge.example";
    const started = performance.now();
    let late = 0;
    for (let i = 0; i < ranks.length; i++) {
      const due = started + (1000 * i) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -1000) late++;
      const res = await workers[pick()].fetch(`${base}/v1/users/${uidFor(`mix-${ranks[i]}`)}/segments`, {
        headers: { Authorization: `Bearer ${apiKey}` },
      });
      await res.arrayBuffer();
    }
    // Lookups sent more than a second behind the schedule: the pace did not hold.
    if (late > ranks.length / 100) console.warn(`${late} lookups more than 1 s late: lower LOCATION_RATE`);
    let kvReads = 0;
    let locationHits = 0;
    for (const w of workers) {
      const stats = await (await w.fetch(`${base}/v1/admin/stats`, { headers: { Authorization: `Bearer ${vars.ADMIN_TOKEN}` } })).json();
      kvReads += stats.kvReads;
      locationHits += stats.locationHits;
    }
    return {
      isolates,
      locationCacheS: tierSeconds,
      lookups: LOOKUPS,
      kvReads,
      locationHits,
      kvReadsPerLookup: +(kvReads / LOOKUPS).toFixed(4),
    };
  } finally {
    await dispose();
  }
}

const rows = [];
for (const isolates of ISOLATES) {
  for (const tier of [0, 30]) {
    const row = await run(isolates, tier);
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
const distinct = new Set(ranks).size;
const result = {
  date: new Date().toISOString(),
  users: USERS,
  lookups: LOOKUPS,
  lookupsPerSecond: RATE,
  distinctUsers: distinct,
  floor: +(distinct / LOOKUPS).toFixed(4),
  rows,
};
writeFileSync("bench/location-results.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(`\n| isolates | without the location cache | with it (30 s) |\n|---|---|---|`);
for (const n of ISOLATES) {
  const [off, on] = [0, 30].map((t) => rows.find((r) => r.isolates === n && r.locationCacheS === t).kvReadsPerLookup);
  console.log(`| ${n} | ${off} | ${on} |`);
}
console.log(`\nOne KV read per distinct user is the floor: ${result.floor} per lookup.`);
