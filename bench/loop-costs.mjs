// `npm run bench:loop -- kind …`: the in-isolate cost loop alone, for the kinds named (bench-worker.ts), in a minute or two.
import { readDevVars } from "../scripts/dev-vars.mjs";
import { loopCosts, putBenchContextRules } from "./lookup-bench.mjs";
import { build, host } from "./miniflare-host.mjs";
import { median, round3 } from "./rounds.mjs";

const kinds = process.argv.slice(2);
if (!kinds.length) throw new Error("name the kinds to measure, e.g. healthz cached-ortb2 context-only-ortb2");
const rounds = Number(process.env.BENCH_LOOP_ROUNDS ?? 7);
const secrets = readDevVars();
const h = await host(build("bench/bench-worker.ts", "bench"));
try {
  await putBenchContextRules(h.url, secrets);
  // healthz first: every ratio is taken against it, round by round.
  const all = ["healthz", ...kinds.filter((k) => k !== "healthz")];
  const { us, ratios, toBytes, rounds: perRound } = await loopCosts(h.url, all, rounds);
  const pairs = {};
  // Each later kind against the first one named, round by round: e.g. a contextual answer against a cached lookup.
  for (const k of kinds.slice(1)) pairs[`${k}/${kinds[0]}`] = round3(median(perRound[k].map((c, i) => c / perRound[kinds[0]][i])));
  console.log(
    JSON.stringify({ rounds, us_per_request: us, ratio_to_healthz: ratios, ratio_to_same_bytes: toBytes, ratio_to_first: pairs }, null, 2),
  );
} finally {
  await h.dispose();
}
