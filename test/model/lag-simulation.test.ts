/** The replication-lag simulation end to end, on small deterministic scenarios: its bounds and its limits. */
import { describe, expect, it } from "vitest";
import { type LagScenario, shippedScenario } from "../../sim/lag/scenario";
import { simulate } from "../../sim/lag/simulate";

/** Small enough for a unit test: a few seconds of CPU at most. */
function small(overrides: Partial<LagScenario> = {}): LagScenario {
  return shippedScenario({
    durationMs: 15 * 60_000,
    warmupMs: 5 * 60_000,
    horizonMs: 4 * 60_000,
    locations: 4,
    isolatesPerLocation: 2,
    users: 2_000,
    lookupsPerSecond: 20,
    changesPerSecond: 0.2,
    probeUsers: 8,
    probeChangeEveryMs: 60_000,
    ...overrides,
  });
}

describe("the replication-lag simulation", () => {
  it("with no delay and no caches, answers a published change everywhere at the next lookup", () => {
    const base = small({ propagationMs: 0, kvCacheTtlMs: 0, locationCacheTtlMs: 0 });
    const r = simulate({ ...base, cache: { ...base.cache, softTtlMs: 0, hardTtlMs: 0, negativeTtlMs: 0 } });
    expect(r.convergence.everyEdgeS.n).toBeGreaterThan(20);
    expect(r.convergence.everyEdgeS.max).toBeLessThanOrEqual((base.publishIntervalMs + 1.5 * base.probeEveryMs) / 1000);
    // Only the object's one-second coalescing can leave an answer outdated.
    expect(r.lookups.causes).toMatchObject({ propagation: 0, "kv-cache": 0, "location-cache": 0, "isolate-cache": 0 });
    expect(r.lookups.hitRatio).toBe(0);
    expect(r.lookups.kvReadsPerLookup).toBe(1);
  });

  it.each([0, 10_000, 60_000])("with the shipped cache and a %i ms delay, every edge sees a change within the bound", (delay) => {
    const r = simulate(small({ propagationMs: delay }));
    expect(r.convergence.unconverged).toBe(0);
    expect(r.convergence.everyEdgeS.n).toBeGreaterThan(20);
    expect(r.convergence.everyEdgeS.max).toBeLessThanOrEqual(r.convergence.boundS);
    // No edge can see it before the delay (at least half of it, with ±50 % jitter) except the writer's.
    expect(r.convergence.everyEdgeS.p50).toBeGreaterThanOrEqual((delay * 0.5) / 1000);
  });

  it("never serves an isolate entry older than the hard TTL, so outdated answers are younger than it plus the upstream lag", () => {
    const s = small({ propagationMs: 10_000 });
    const r = simulate(s);
    expect(r.lookups.stale).toBeGreaterThan(0);
    const upstream = s.publishIntervalMs + s.propagationMs * (1 + s.propagationJitter) + s.kvCacheTtlMs + s.locationCacheTtlMs;
    expect(r.lookups.staleAgeS.max).toBeLessThanOrEqual((s.cache.hardTtlMs + upstream) / 1000);
  });

  it("is deterministic for a seed", () => {
    const a = simulate(small({ seed: 7, durationMs: 8 * 60_000, horizonMs: 60_000 }));
    const b = simulate(small({ seed: 7, durationMs: 8 * 60_000, horizonMs: 60_000 }));
    expect(a).toEqual(b);
  });
});
