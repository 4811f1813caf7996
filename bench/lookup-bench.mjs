// Lookup benchmarks (issue 3): every lookup kind over HTTP against the /healthz control, the Zipf mix, and the in-isolate cost loop.
import { cookieFor, uidFor, zipf } from "./ids.mjs";
import { wrk, writeRequests } from "./wrk.mjs";
import { cpuMs, rssMiB } from "./miniflare-host.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Routes compared with each other run in interleaved rounds, so the machine's drift hits them alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIX_USERS = 1_000_000;
const MIX_LENGTH = 80_000;
/** Fresh users for each KV-path and bare-KV run: neither may read what the other warmed. */
const KV_RUN_USERS = 12_000;

const get = (path, cookie) => `GET\t${path}\t${cookie ? `Cookie: ${cookie}` : "-"}\t-`;

/** Bench-control calls; retried, because workerd may close an idle keep-alive socket under them. */
async function post(url, path, body) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(new URL(path, url), { method: "POST", body: JSON.stringify(body) });
      return await res.json();
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

async function seed(url, uids) {
  for (let i = 0; i < uids.length; i += 1000) await post(url, "/__bench/seed", uids.slice(i, i + 1000));
}

/** Milliseconds for one loop request of n iterations, minus the same request with none: the app's own cost. */
async function loopCostUs(url, kind, n = 20_000) {
  const time = async (k) => {
    const t = performance.now();
    await (await fetch(new URL(`/__bench/loop?kind=${kind}&n=${k}`, url))).text();
    return performance.now() - t;
  };
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(((await time(n)) - (await time(0))) / n);
  runs.sort((a, b) => a - b);
  return Math.round(runs[1] * 1000 * 10) / 10;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

/**
 * Runs `runs` (name → request file, or a file per round) ROUNDS times, interleaved, and keeps each run's
 * rps, latencies and workerd CPU per request (a figure the machine's other load disturbs less than rps).
 */
function interleaved(url, pid, runs) {
  const rounds = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, file] of Object.entries(runs)) {
      const cpu = cpuMs(pid);
      const res = wrk(url, typeof file === "function" ? file(r) : file, { seconds: SECONDS });
      res.cpu_us_per_request = Math.round(((cpuMs(pid) - cpu) * 1000) / res.requests);
      rounds[name].push(res);
    }
  }
  return rounds;
}

/** A route's median round, every round's rps, and its ratios to `base` taken round by round (median). */
function summarise(rounds, base) {
  const mid = rounds.slice().sort((a, b) => a.rps - b.rps)[rounds.length >> 1];
  const out = { ...mid, rounds_rps: rounds.map((r) => r.rps) };
  if (base) {
    out.rps_ratio = +median(rounds.map((r, i) => r.rps / base[i].rps)).toFixed(3);
    out.p50_ratio = +median(rounds.map((r, i) => r.p50_ms / base[i].p50_ms)).toFixed(3);
    out.cpu_ratio = +median(rounds.map((r, i) => base[i].cpu_us_per_request / r.cpu_us_per_request)).toFixed(3);
  }
  return out;
}

/** @param edge the edge isolate's heap reader (bench/isolate-heap.mjs) */
export async function lookupBench(host, secrets, edge) {
  const url = host.url;
  const pid = host.workerdPid();
  const out = {};
  const ratio = (r) => ({ ...r, rps_ratio: +(r.rps / out.control.rps).toFixed(3), p50_ratio: +(r.p50_ms / out.control.p50_ms).toFixed(3) });
  const run = (name, file, opts) => (out[name] = ratio(wrk(url, file, { seconds: SECONDS, ...opts })));
  const cookie = (uid) => cookieFor(uid, secrets.UID_SECRET);

  console.error("seeding KV ...");
  const known = uidFor("bench-known");
  const kvUsers = (kind, r) => Array.from({ length: KV_RUN_USERS }, (_, i) => uidFor(`kv-${kind}-${r}-${i}`));
  await seed(url, [known]);
  for (let r = 0; r < ROUNDS; r++) for (const kind of ["app", "bare"]) await seed(url, kvUsers(kind, r));

  // Warm-up of every route measured, then the control and the cached routes in interleaved rounds.
  const healthz = writeRequests("dist/bench/healthz.tsv", [get("/healthz")]);
  const cached = writeRequests("dist/bench/cached.tsv", [get("/v1/segments", cookie(known))]);
  const unknown = writeRequests("dist/bench/unknown.tsv", [get("/v1/segments", cookie(uidFor("bench-unknown")))]);
  for (const file of [healthz, cached, unknown]) wrk(url, file, { seconds: 2 });
  const hot = interleaved(url, pid, { control: healthz, cached_known: cached, unknown });
  out.control = summarise(hot.control);
  out.cached_known = summarise(hot.cached_known, hot.control);
  out.unknown = summarise(hot.unknown, hot.control);

  // The KV path against a bare KV read, interleaved too, each run on users nobody has read yet.
  const kv = interleaved(url, pid, {
    kv_path: (r) => writeRequests("dist/bench/kv-path.tsv", kvUsers("app", r).map((u) => get("/v1/segments", cookie(u)))),
    bare_kv_get: (r) => writeRequests("dist/bench/bare-kv.tsv", kvUsers("bare", r).map((u) => get(`/__bench/kv?uid=${u}`))),
  });
  out.kv_path = ratio(summarise(kv.kv_path));
  out.bare_kv_get = ratio(summarise(kv.bare_kv_get));
  const vsBare = summarise(kv.kv_path, kv.bare_kv_get);
  Object.assign(out.kv_path, { ratio_to_bare_kv: vsBare.rps_ratio, p50_ratio_to_bare_kv: vsBare.p50_ratio, cpu_ratio_to_bare_kv: vsBare.cpu_ratio });
  if ([...kv.kv_path, ...kv.bare_kv_get].some((r) => r.requests >= KV_RUN_USERS)) console.error("warning: a KV run wrapped around its users; later requests were cache hits");

  // The realistic mix: 1,000,000 users, Zipf (s = 1), 20 % known.
  console.error("building the Zipf mix ...");
  const draw = zipf(MIX_USERS, 1.0);
  const ranks = Array.from({ length: MIX_LENGTH }, draw);
  const isKnown = (rank) => rank % 5 === 0;
  const distinct = [...new Set(ranks)];
  await seed(url, distinct.filter(isKnown).map((r) => uidFor(`mix-${r}`)));
  await post(url, "/__bench/reset", {});
  const mixFile = writeRequests("dist/bench/mix.tsv", ranks.map((r) => get("/v1/segments", cookie(uidFor(`mix-${r}`)))));
  run("zipf_mix", mixFile);
  const stats = await (await fetch(new URL("/__bench/stats", url))).json();
  const served = out.zipf_mix.requests;
  const seen = new Set();
  for (let i = 0; i < served; i++) seen.add(ranks[i % MIX_LENGTH]);
  const best = 1 - seen.size / served;
  const hit = (stats.hits + stats.stale) / (stats.hits + stats.stale + stats.misses);
  const predicted = 1 / (hit / out.cached_known.rps + (1 - hit) / out.kv_path.rps);
  Object.assign(out.zipf_mix, {
    hit_ratio: +hit.toFixed(4),
    best_possible_hit_ratio: +best.toFixed(4),
    hit_ratio_of_best: +(hit / best).toFixed(4),
    predicted_rps_from_hit_ratio: Math.round(predicted),
    rps_of_predicted: +(out.zipf_mix.rps / predicted).toFixed(3),
    cache: stats,
    // Before any object exists (the events bench comes later), so this isolate holds the edge alone.
    isolate_heap: await edge.heap(),
    workerd_rss_mib: rssMiB(host.workerdPid()),
  });

  // Server-to-server batches of 100 uids drawn from the mix (mostly cached by now).
  const auth = `Bearer ${secrets.API_KEYS.split(",")[0]}`;
  const batches = Array.from({ length: 200 }, (_, b) => `POST\t/v1/lookup\tContent-Type: application/json\t${JSON.stringify({ uids: ranks.slice(b * 100, b * 100 + 100).map((r) => uidFor(`mix-${r}`)) })}`);
  run("s2s_batch_100", writeRequests("dist/bench/lookup100.tsv", batches), { auth });

  console.error("measuring the app's own cost inside workerd ...");
  const kinds = ["healthz", "cached-json", "cached-ortb2", "cached-gpt", "cached-js", "unknown", "s2s-cached"];
  const app_cost_us = {};
  for (const k of kinds) app_cost_us[k] = await loopCostUs(url, k);
  out.app_cost_us_per_request = app_cost_us;
  out.app_cost_ratio_to_healthz = Object.fromEntries(kinds.map((k) => [k, +(app_cost_us[k] / app_cost_us.healthz).toFixed(2)]));
  return out;
}
