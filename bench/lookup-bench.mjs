// Lookup benchmarks: every lookup kind over HTTP against the /healthz control, the Zipf mix, and the in-isolate cost loop.
import { cookieFor, uidFor } from "./ids.mjs";
import { rssMiB } from "./miniflare-host.mjs";
import { interleaved, median, round3, SLICE_SECONDS, spread, summarise } from "./rounds.mjs";
import { get, writeRequests, wrk } from "./wrk.mjs";
import { zipfMix } from "./zipf-mix.mjs";

/** Single runs (the S2S batch). */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Rounds of the hot routes (bench/rounds.mjs: why slices, interleaved). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
/** Fewer rounds for the KV routes: each slice needs users of its own, and seeding KV here takes ~300 puts/s. */
const KV_ROUNDS = Number(process.env.BENCH_KV_ROUNDS ?? 12);
/** Rounds of the Zipf mix; each takes one KV round's users for its KV-path slice, so at most KV_ROUNDS. */
const MIX_ROUNDS = Math.min(Number(process.env.BENCH_MIX_ROUNDS ?? 8), KV_ROUNDS);
/** Fresh users for each KV slice (~700 rps at best here, so a slice does not wrap): no slice reads what another warmed. */
const KV_RUN_USERS = SLICE_SECONDS * 1_000;
/** The KV path and the bare read, over HTTP. */
const KV_KINDS = ["app", "bare"];
/**
 * The KV routes inside workerd (bench-worker.ts /__bench/kv-paired): the KV path, the bare read, and the bare read plus
 * each part of what the KV path adds, in blocks of 50 reads that alternate, over the same users in every round.
 */
const KV_PAIRED_KINDS = ["bare", "app", "verify", "lookup"];
const KV_PAIRED_ROUNDS = Number(process.env.BENCH_KV_PAIRED_ROUNDS ?? 6);
/** Rounds of the in-isolate cost loop, every kind in each; fewer for its second pass, on a full cache. */
const LOOP_ROUNDS = Number(process.env.BENCH_LOOP_ROUNDS ?? 7);
const FULL_LOOP_ROUNDS = Number(process.env.BENCH_FULL_LOOP_ROUNDS ?? 5);

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

/** Writes a known profile to KV for each uid, 1,000 per call. */
export async function seed(url, uids) {
  for (let i = 0; i < uids.length; i += 1000) await post(url, "/__bench/seed", uids.slice(i, i + 1000));
}

/** µs per request of one loop request of n iterations, minus the same request with none: the app's own cost. */
async function loopCostUs(url, kind, n = 20_000) {
  const time = async (k) => {
    const t = performance.now();
    await (await fetch(new URL(`/__bench/loop?kind=${kind}&n=${k}`, url))).text();
    return performance.now() - t;
  };
  return (((await time(n)) - (await time(0))) * 1000) / n;
}

/**
 * The app's own cost of each kind, in rounds that take every kind in turn (every other round reversed), as the HTTP
 * routes are: each kind's median, and its ratio to /healthz as the median of the rounds' ratios.
 */
export async function loopCosts(url, kinds, rounds) {
  const costs = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) for (const k of r % 2 ? [...kinds].reverse() : kinds) costs[k].push(await loopCostUs(url, k));
  const us = Object.fromEntries(kinds.map((k) => [k, Math.round(median(costs[k]) * 10) / 10]));
  const ratios = Object.fromEntries(kinds.map((k) => [k, round3(median(costs[k].map((c, i) => c / costs.healthz[i])))]));
  // Each kind against the handler that sends its very bytes with no code (`kind@bytes`), round by round.
  const toBytes = Object.fromEntries(
    kinds.filter((k) => costs[`${k}@bytes`]).map((k) => [k, round3(median(costs[k].map((c, i) => c / costs[`${k}@bytes`][i])))]),
  );
  return { us, ratios, toBytes, rounds: costs };
}

/**
 * The KV routes inside workerd, each read of a block timed together (bench-worker.ts /__bench/kv-paired): per route,
 * µs per read, µs beyond the bare read, and its ratio to the bare read (median and quartiles over the paired blocks).
 */
async function kvPaired(url, uids) {
  const blocks = Object.fromEntries(KV_PAIRED_KINDS.map((k) => [k, []]));
  await post(url, `/__bench/kv-paired?kinds=${KV_PAIRED_KINDS}`, uids.slice(0, 500));
  for (let r = 0; r < KV_PAIRED_ROUNDS; r++) {
    const round = await post(url, `/__bench/kv-paired?kinds=${KV_PAIRED_KINDS}`, uids);
    for (const k of KV_PAIRED_KINDS) blocks[k].push(...round[k]);
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const reads = KV_PAIRED_ROUNDS * uids.length;
  const out = { rounds: KV_PAIRED_ROUNDS, reads_per_route: reads, block: 50 };
  for (const k of KV_PAIRED_KINDS) {
    const ratios = blocks.bare.map((b, i) => b / blocks[k][i]);
    out[k] = {
      us_per_read: Math.round((sum(blocks[k]) * 1000) / reads),
      extra_us_per_read: Math.round(((sum(blocks[k]) - sum(blocks.bare)) * 1000) / reads),
      ...spread("ratio_to_bare", ratios),
    };
  }
  return out;
}

/** Context rules for the contextual kinds: 50 rules of every condition kind, as a publisher's set might be. */
export async function putBenchContextRules(url, secrets) {
  const rules = Array.from({ length: 50 }, (_, i) => ({
    id: `ctx-${i}`,
    name: `Rule ${i}`,
    when: [
      { host: [`*.site${i}.example`] },
      { pathPrefix: [`/s${i}/`] },
      { section: [`s${i}`] },
      { keywords: [`k${i}`] },
      { lang: ["fr"], country: ["FR"] },
    ][i % 5],
  }));
  rules.push({ id: "533", taxonomy: 9, name: "Sports | Soccer", when: { host: ["news.example"], pathPrefix: ["/foot/"] } });
  await fetch(new URL("/v1/admin/context", url), {
    method: "PUT",
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
    body: JSON.stringify({ version: Date.now(), rules }),
  });
}

/** @param edge the edge isolate's heap reader (bench/isolate-heap.mjs) */
export async function lookupBench(host, secrets, edge) {
  const url = host.url;
  const pid = host.workerdPid();
  const out = {};
  const ratio = (r) => ({ ...r, rps_ratio: +(r.rps / out.control.rps).toFixed(3), p50_ratio: +(r.p50_ms / out.control.p50_ms).toFixed(3) });
  const run = (name, file, opts) => (out[name] = ratio(wrk(url, file, { seconds: SECONDS, ...opts })));
  const cookie = (uid) => cookieFor(uid, secrets.UID_SECRET);

  const known = uidFor("bench-known");
  await seed(url, [known]);

  // Warm-up of every route measured, then the control and the cached routes in interleaved rounds. They run before
  // KV is seeded, so nothing that seeding leaves in workerd's memory can weigh on one route and not on the control.
  // The control runs twice: as the targets name it (a bare GET /healthz), and with the very request a lookup sends
  // (its Cookie header), so that one ratio tells the answer's cost apart from the request's bytes.
  const healthz = writeRequests("dist/bench/healthz.tsv", [get("/healthz")]);
  const healthzSame = writeRequests("dist/bench/healthz-cookie.tsv", [get("/healthz", cookie(known))]);
  const cached = writeRequests("dist/bench/cached.tsv", [get("/v1/segments", cookie(known))]);
  const unknown = writeRequests("dist/bench/unknown.tsv", [get("/v1/segments", cookie(uidFor("bench-unknown")))]);
  for (const file of [healthz, healthzSame, cached, unknown]) wrk(url, file, { seconds: 2 });
  const hot = interleaved(url, pid, ROUNDS, { control: healthz, control_same_request: healthzSame, cached_known: cached, unknown });
  out.control = summarise(hot.control);
  out.control_same_request = summarise(hot.control_same_request, hot.control);
  for (const name of ["cached_known", "unknown"]) {
    const same = summarise(hot[name], hot.control_same_request);
    out[name] = {
      ...summarise(hot[name], hot.control),
      rps_ratio_same_request: same.rps_ratio,
      rps_ratio_same_request_quartiles: same.rps_ratio_quartiles,
      p50_ratio_same_request: same.p50_ratio,
      cpu_ratio_same_request: same.cpu_ratio,
    };
  }

  console.error("seeding KV ...");
  const kvUsers = (kind, r) => Array.from({ length: KV_RUN_USERS }, (_, i) => uidFor(`kv-${kind}-${r}-${i}`));
  for (let r = 0; r < KV_ROUNDS; r++) for (const kind of KV_KINDS) await seed(url, kvUsers(kind, r));

  // The KV path against a bare KV read over HTTP, interleaved too, each slice on users nobody has read yet. The bare
  // read's requests carry the same cookies, unread.
  const kvFile = (kind, line) => (r) => writeRequests(`dist/bench/kv-${kind}.tsv`, kvUsers(kind, r).map(line));
  const kv = interleaved(url, pid, KV_ROUNDS, {
    kv_path: kvFile("app", (u) => get("/v1/segments", cookie(u))),
    bare_kv_get: kvFile("bare", (u) => get(`/__bench/kv?uid=${u}`, cookie(u))),
  });
  out.kv_path = ratio(summarise(kv.kv_path));
  out.bare_kv_get = ratio(summarise(kv.bare_kv_get));
  const vsBare = summarise(kv.kv_path, kv.bare_kv_get);
  Object.assign(out.kv_path, {
    ratio_to_bare_kv: vsBare.rps_ratio,
    ratio_to_bare_kv_quartiles: vsBare.rps_ratio_quartiles,
    p50_ratio_to_bare_kv: vsBare.p50_ratio,
    cpu_ratio_to_bare_kv: vsBare.cpu_ratio,
  });
  out.kv_path.extra_cpu_us_beyond_bare = median(kv.kv_path.map((r, i) => r.cpu_us_per_request - kv.bare_kv_get[i].cpu_us_per_request));
  for (const [name, rounds] of Object.entries(kv)) {
    if (rounds.some((r) => r.requests >= KV_RUN_USERS))
      console.error(`warning: a ${name} slice wrapped around its users; it read some twice`);
  }
  console.error("the KV routes inside workerd ...");
  out.kv_path_in_isolate = await kvPaired(url, kvUsers("app", 0));
  // The realistic mix, each round beside a cached slice and a KV-path slice on the bare read's users of that KV round
  // (read by the bare route only, so not in the isolate's cache).
  console.error("the Zipf mix ...");
  const bench = {
    seed: (uids) => seed(url, uids),
    reset: () => post(url, "/__bench/reset", {}),
    stats: () => fetch(new URL("/__bench/stats", url)).then((r) => r.json()),
  };
  const { figures, users } = await zipfMix({
    url,
    pid,
    secret: secrets.UID_SECRET,
    rounds: MIX_ROUNDS,
    bench,
    files: { cached, kv: kvFile("bare", (u) => get("/v1/segments", cookie(u))) },
  });
  out.zipf_mix = ratio({
    ...figures,
    // Before any object exists (the events bench comes later), so this isolate holds the edge alone.
    isolate_heap: await edge.heap(),
    workerd_rss_mib: rssMiB(host.workerdPid()),
  });

  // Server-to-server batches of 100 uids drawn from the mix (mostly cached by now).
  const auth = `Bearer ${secrets.API_KEYS.split(",")[0]}`;
  const batches = Array.from(
    { length: 200 },
    (_, b) => `POST\t/v1/lookup\tContent-Type: application/json\t${JSON.stringify({ uids: users.slice(b * 100, b * 100 + 100) })}`,
  );
  run("s2s_batch_100", writeRequests("dist/bench/lookup100.tsv", batches), { auth });

  console.error("measuring the app's own cost inside workerd ...");
  await putBenchContextRules(url, secrets);
  // `@app`: the same request through the Hono app alone, without the fast dispatch in front of it.
  const kinds = [
    "healthz",
    "cached-json",
    "cached-ortb2",
    "cached-gpt",
    "cached-js",
    "cached-context-ortb2",
    "context-only-ortb2",
    "unknown",
    "s2s-cached",
    "s2s-batch-100",
    "event-accept",
    "cached-json@bytes",
    "s2s-cached@bytes",
    "event-accept@bytes",
    "cached-json@app",
    "unknown@app",
    "s2s-cached@app",
  ];
  const { us, ratios, toBytes } = await loopCosts(url, kinds, LOOP_ROUNDS);
  out.app_cost_us_per_request = us;
  out.app_cost_ratio_to_healthz = ratios;
  out.app_cost_ratio_to_same_bytes = toBytes;
  // A batch of 100 cached uids against 100 single cached lookups: CPU per uid.
  out.batch_lookup_us_per_uid = Math.round((us["s2s-batch-100"] / 100) * 100) / 100;
  // Again on a full cache and cookie memo, as in an isolate that has served a while; then emptied for what follows.
  const filled = await post(url, "/__bench/fill", {});
  const full = await loopCosts(url, kinds, FULL_LOOP_ROUNDS);
  out.app_cost_full_cache = {
    entries: filled.entries,
    bytes: filled.bytes,
    verified_cookies: filled.verified_cookies,
    us_per_request: full.us,
    ratio_to_healthz: full.ratios,
  };
  await post(url, "/__bench/reset", {});
  return out;
}
