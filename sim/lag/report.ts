/** `npm run sim:lag`: the shipped settings over a sweep of KV propagation delays and of cache settings; a table and a JSON file. */

import { type LagScenario, shippedScenario } from "./scenario";
import { type LagResult, simulate } from "./simulate";
import type { Summary } from "./stats";

export interface Row {
  name: string;
  scenario: Omit<LagScenario, "cache"> & {
    cache: { softTtlMs: number; hardTtlMs: number; negativeTtlMs: number; maxEntries: number; maxBytes: number };
  };
  result: LagResult;
}

const SECOND = 1000;
export const DELAYS_MS = [0, 10 * SECOND, 60 * SECOND, 120 * SECOND];

/** Cache variants at a 60 s delay: each changes one setting of the shipped cache. */
export function cacheVariants(base: LagScenario): { name: string; scenario: LagScenario }[] {
  const c = base.cache;
  return [
    { name: "soft TTL 5 s", scenario: { ...base, cache: { ...c, softTtlMs: 5 * SECOND } } },
    { name: "shipped (soft 15 s, hard 5 min, location cache 30 s)", scenario: base },
    { name: "no location cache", scenario: { ...base, locationCacheTtlMs: 0 } },
    { name: "soft TTL 60 s", scenario: { ...base, cache: { ...c, softTtlMs: 60 * SECOND } } },
    { name: "hard TTL 60 s", scenario: { ...base, cache: { ...c, hardTtlMs: 60 * SECOND } } },
  ];
}

function row(name: string, scenario: LagScenario): Row {
  const { sizeOf: _sizeOf, ...cache } = scenario.cache;
  return { name, scenario: { ...scenario, cache }, result: simulate(scenario) };
}

export function runSweeps(overrides: Partial<LagScenario> = {}): { delays: Row[]; cache: Row[] } {
  const delays = DELAYS_MS.map((d) => row(`${d / SECOND} s`, shippedScenario({ ...overrides, propagationMs: d })));
  const base = shippedScenario({ ...overrides, propagationMs: 60 * SECOND });
  const cache = cacheVariants(base).map((v) => (v.scenario === base ? { ...delays[2]!, name: v.name } : row(v.name, v.scenario)));
  return { delays, cache };
}

const s = (x: number) => (Number.isNaN(x) ? "–" : x < 10 ? x.toFixed(1) : x.toFixed(0));
const triple = (d: Summary) => `${s(d.p50)} / ${s(d.p95)} / ${s(d.max)}`;
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

function causes(r: LagResult): string {
  const c = r.lookups.causes;
  const n = r.lookups.stale || 1;
  return [c.unpublished, c.propagation, c["kv-cache"], c["location-cache"], c["isolate-cache"]]
    .map((x) => `${Math.round((100 * x) / n)}`)
    .join(" / ");
}

export function table(title: string, rows: Row[]): string {
  const head = `| ${title} | seen at every edge, s (p50 / p95 / max) | bound, s | outdated answers | age of outdated answers, s (p50 / p95 / max) | outdated because % (unpublished / propagation / KV cache / location cache / isolate cache) | KV reads per lookup |`;
  const lines = rows.map(
    ({ name, result: r }) =>
      `| ${name} | ${triple(r.convergence.everyEdgeS)} | ${s(r.convergence.boundS)} | ${pct(r.lookups.staleFraction)} | ${triple(r.lookups.staleAgeS)} | ${causes(r)} | ${r.lookups.kvReadsPerLookup.toFixed(3)} |`,
  );
  return [head, `|${"---|".repeat(7)}`, ...lines].join("\n");
}

export function main(): { stdout: string; files: Record<string, string> } {
  const { delays, cache } = runSweeps();
  const base = delays[0]!.scenario;
  const stdout = [
    `${base.locations} locations × ${base.isolatesPerLocation} isolates, ${base.users.toLocaleString("en")} users (Zipf s=${base.zipfS}), ${base.lookupsPerSecond} lookups/s, ${base.changesPerSecond} profile changes/s, ${base.probeUsers} probe users looked up everywhere every ${base.probeEveryMs / 1000} s; ${base.durationMs / 60_000} min simulated, first ${base.warmupMs / 60_000} min not measured; delays ±${base.propagationJitter * 100} %.`,
    "",
    table("KV propagation delay", delays),
    "",
    table("cache at 60 s delay", cache),
    "",
  ].join("\n");
  return { stdout, files: { "sim/lag-results.json": `${JSON.stringify({ delays, cache }, null, 2)}\n` } };
}
