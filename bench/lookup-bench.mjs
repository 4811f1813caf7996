// Lookup benchmarks (issue 3): every lookup kind over HTTP against the /healthz control, the Zipf mix, and the in-isolate cost loop.
import { cookieFor, uidFor, zipf } from "./ids.mjs";
import { wrk, writeRequests } from "./wrk.mjs";
import { rssMiB } from "./miniflare-host.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MIX_USERS = 1_000_000;
const MIX_LENGTH = 80_000;
const KV_PATH_USERS = 15_000;

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

export async function lookupBench(host, secrets) {
  const url = host.url;
  const out = {};
  const ratio = (r) => ({ ...r, rps_ratio: +(r.rps / out.control.rps).toFixed(3), p50_ratio: +(r.p50_ms / out.control.p50_ms).toFixed(3) });
  const run = (name, file, opts) => (out[name] = name === "control" ? wrk(url, file, { seconds: SECONDS, ...opts }) : ratio(wrk(url, file, { seconds: SECONDS, ...opts })));
  const cookie = (uid) => cookieFor(uid, secrets.UID_SECRET);

  console.error("seeding KV ...");
  const known = uidFor("bench-known");
  const kvUsers = Array.from({ length: KV_PATH_USERS }, (_, i) => uidFor(`kv-${i}`));
  await seed(url, [known, ...kvUsers]);

  // Warm-up, then the control and the cached routes.
  wrk(url, writeRequests("dist/bench/healthz.tsv", [get("/healthz")]), { seconds: 2 });
  run("control", "dist/bench/healthz.tsv");
  run("cached_known", writeRequests("dist/bench/cached.tsv", [get("/v1/segments", cookie(known))]));
  run("unknown", writeRequests("dist/bench/unknown.tsv", [get("/v1/segments", cookie(uidFor("bench-unknown")))]));
  run("kv_path", writeRequests("dist/bench/kv-path.tsv", kvUsers.map((u) => get("/v1/segments", cookie(u)))));
  run("bare_kv_get", writeRequests("dist/bench/bare-kv.tsv", kvUsers.map((u) => get(`/__bench/kv?uid=${u}`))));
  if (out.kv_path.requests >= kvUsers.length) console.error("warning: the KV path run wrapped around its users; later requests were cache hits");
  out.kv_path.ratio_to_bare_kv = +(out.kv_path.rps / out.bare_kv_get.rps).toFixed(3);

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
    isolate_rss_mib: rssMiB(host.workerdPid()),
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
