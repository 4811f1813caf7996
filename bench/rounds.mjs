// Interleaved rounds of short wrk slices and the figures taken from them: medians and quartiles of per-round ratios.

import { cpuMs } from "./miniflare-host.mjs";
import { wrk } from "./wrk.mjs";

/**
 * Routes compared with each other alternate in short slices, many times: this machine's speed drifts by 2× within
 * minutes (other tenants), and a ratio of two slices seconds apart cancels the drift that long runs would not.
 */
export const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 2);

export const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
export const quantile = (xs, q) => xs.slice().sort((a, b) => a - b)[Math.round(q * (xs.length - 1))];
export const round3 = (x) => +x.toFixed(3);
/** The median and quartiles of per-round figures, as `{ name, name_quartiles }`. */
export const spread = (name, xs) => ({
  [name]: round3(median(xs)),
  [`${name}_quartiles`]: [round3(quantile(xs, 0.25)), round3(quantile(xs, 0.75))],
});

/** One wrk slice, with the workerd CPU it cost per request (a figure the machine's other load disturbs less than rps). */
export function slice(url, pid, file, opts = {}) {
  const cpu = cpuMs(pid);
  const res = wrk(url, file, { seconds: SLICE_SECONDS, ...opts });
  res.cpu_us_per_request = Math.round(((cpuMs(pid) - cpu) * 1000) / res.requests);
  return res;
}

/**
 * Runs `runs` (name → request file, or a file per round) `count` times, interleaved, every other round in reverse
 * order so no route always follows the same one, and keeps each run's rps, latencies and CPU per request.
 */
export function interleaved(url, pid, count, runs) {
  const rounds = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let r = 0; r < count; r++) {
    const order = Object.entries(runs);
    for (const [name, file] of r % 2 ? order.reverse() : order)
      rounds[name].push(slice(url, pid, typeof file === "function" ? file(r) : file));
  }
  return rounds;
}

/**
 * A route's median round, every round's rps, and its ratios to `base` taken round by round: the median, and the
 * quartiles of the rounds' ratios, which say how far this machine lets one run's figure be trusted.
 */
export function summarise(rounds, base) {
  const mid = rounds.slice().sort((a, b) => a.rps - b.rps)[rounds.length >> 1];
  const out = { ...mid, rounds_rps: rounds.map((r) => r.rps) };
  if (base) {
    Object.assign(
      out,
      spread(
        "rps_ratio",
        rounds.map((r, i) => r.rps / base[i].rps),
      ),
    );
    out.p50_ratio = round3(median(rounds.map((r, i) => r.p50_ms / base[i].p50_ms)));
    out.cpu_ratio = round3(median(rounds.map((r, i) => base[i].cpu_us_per_request / r.cpu_us_per_request)));
  }
  return out;
}
