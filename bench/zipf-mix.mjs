// The realistic lookup mix: 1,000,000 users, Zipf (s = 1), 20 % known, measured against what its hit ratio predicts.
import { cookieFor, uidFor, zipf } from "./ids.mjs";
import { median, slice, spread, summarise } from "./rounds.mjs";
import { get, writeRequests } from "./wrk.mjs";

const MIX_USERS = 1_000_000;
const MIX_LENGTH = 80_000;

/**
 * The mix in slices that go on through one request sequence from an empty cache, each round beside a slice of the
 * cached known user and one of the KV path, so that the rps its hit ratio predicts comes from figures seconds apart
 * (this machine drifts too much for slices measured minutes earlier). Each mix slice's hit ratio is read from the
 * cache's counters around it.
 * @param o.files `cached`: the cached known user's requests; `kv(r)`: round r's KV-path requests, on users nobody read
 * @param o.bench `seed(uids)`, `reset()` (empties the cache and the cookie memo), `stats()` (the cache's counters)
 * @returns `figures` for results.json, and `users`: the users of the sequence's first 20,000 requests, in order
 */
export async function zipfMix({ url, pid, secret, rounds, files, bench }) {
  const draw = zipf(MIX_USERS, 1.0);
  const ranks = Array.from({ length: MIX_LENGTH }, draw);
  const user = (rank) => uidFor(`mix-${rank}`);
  await bench.seed([...new Set(ranks)].filter((rank) => rank % 5 === 0).map(user));
  await bench.reset();
  const mixFile = writeRequests(
    "dist/bench/mix.tsv",
    ranks.map((r) => get("/v1/segments", cookieFor(user(r), secret))),
  );

  const slices = { zipf_mix: [], cached_known: [], kv_path: [] };
  const counts = { hits: 0, stale: 0, misses: 0 };
  const hitRatios = [];
  let served = 0;
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(slices);
    for (const name of r % 2 ? order.reverse() : order) {
      if (name !== "zipf_mix") {
        slices[name].push(slice(url, pid, name === "cached_known" ? files.cached : files.kv(r)));
        continue;
      }
      const before = await bench.stats();
      const s = slice(url, pid, mixFile, { start: served % MIX_LENGTH });
      const after = await bench.stats();
      const d = Object.fromEntries(Object.keys(counts).map((k) => [k, after[k] - before[k]]));
      for (const k of Object.keys(counts)) counts[k] += d[k];
      const handled = d.hits + d.stale + d.misses;
      hitRatios.push((d.hits + d.stale) / handled);
      slices.zipf_mix.push(s);
      // The cache's count, not wrk's: wrk leaves out the requests in flight when a slice ends, which were still sent.
      served += handled;
    }
  }

  const seen = new Set();
  for (let i = 0; i < served; i++) seen.add(ranks[i % MIX_LENGTH]);
  const best = 1 - seen.size / served;
  const hit = (counts.hits + counts.stale) / (counts.hits + counts.stale + counts.misses);
  const predicted = hitRatios.map((h, i) => 1 / (h / slices.cached_known[i].rps + (1 - h) / slices.kv_path[i].rps));
  const figures = {
    ...summarise(slices.zipf_mix),
    rounds,
    requests_served: served,
    hit_ratio: +hit.toFixed(4),
    best_possible_hit_ratio: +best.toFixed(4),
    hit_ratio_of_best: +(hit / best).toFixed(4),
    rounds_hit_ratio: hitRatios.map((h) => +h.toFixed(4)),
    predicted_rps_from_hit_ratio: Math.round(median(predicted)),
    ...spread(
      "rps_of_predicted",
      slices.zipf_mix.map((s, i) => s.rps / predicted[i]),
    ),
    beside: { cached_known_rps: median(slices.cached_known.map((s) => s.rps)), kv_path_rps: median(slices.kv_path.map((s) => s.rps)) },
    // The mix's own counts; entries and bytes include the slices beside it (the cached user, the KV slices' users).
    cache: { ...(await bench.stats()), ...counts },
  };
  return { figures, users: ranks.slice(0, 20_000).map(user) };
}
