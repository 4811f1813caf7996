/** What the service reports about itself: one Analytics Engine point per request, profile counters, /v1/admin/stats. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import type { UserProfile } from "../../durable/user-profile";
import { ADMIN, call, callWith, faultyKv, putSegments, S2S, view } from "../support/helpers";

function recorder() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, dataset: { writeDataPoint: (p: AnalyticsEngineDataPoint) => void points.push(p ?? {}) } as AnalyticsEngineDataset };
}

describe("metrics", () => {
  it("writes a data point per request at rate 1: route, cache outcome, degraded flag, latency bucket, colo, status", async () => {
    await env.PROFILES.put("u:m-1", encodeProfile({ ts: 1, segments: [{ id: "607", taxonomy: 4 }] }));
    const { points, dataset } = recorder();
    const all = { METRICS: dataset, METRICS_SAMPLE_RATE: "1" };
    await callWith(all, "/v1/users/m-1/segments", { headers: S2S });
    await callWith(all, "/v1/users/m-1/segments", { headers: S2S });
    await callWith({ ...all, PROFILES: faultyKv({ error: true }) }, "/v1/users/m-2/segments", { headers: S2S });
    await callWith(all, "/v1/users/m-1/segments", {});
    expect(points.map((p) => p.blobs?.slice(0, 5))).toEqual([
      ["request", "/v1/users/:uid/segments", "GET", "miss", ""],
      ["request", "/v1/users/:uid/segments", "GET", "hit", ""],
      ["request", "/v1/users/:uid/segments", "GET", "miss", "kv-error"],
      ["request", "/v1/users/:uid/segments", "GET", "none", ""],
    ]);
    for (const p of points) {
      expect(p.indexes).toEqual(["request"]);
      expect(p.blobs?.[5]).toMatch(/^(<1ms|1-5ms|5-20ms|20-100ms|>=100ms)$/);
      expect(p.blobs?.[6]).toBe("local");
    }
    expect(points.map((p) => p.doubles?.[2])).toEqual([200, 200, 200, 401]);
    expect(points.map((p) => p.doubles?.[0])).toEqual([1, 1, 1, 1]);
  });

  it("samples ordinary answers, each point weighted 1/rate, and always writes errors and degraded answers", async () => {
    const { points, dataset } = recorder();
    const sampled = { METRICS: dataset, METRICS_SAMPLE_RATE: "0.25" };
    for (let i = 0; i < 400; i++) await callWith(sampled, "/healthz");
    const ok = points.length;
    expect(ok).toBeGreaterThan(50);
    expect(ok).toBeLessThan(150);
    for (const p of points) expect(p.doubles?.[0]).toBe(4);
    await callWith({ ...sampled, METRICS_SAMPLE_RATE: "0" }, "/v1/users/m-4/segments", {});
    await callWith({ ...sampled, METRICS_SAMPLE_RATE: "0", PROFILES: faultyKv({ error: true }) }, "/v1/users/m-5/segments", {
      headers: S2S,
    });
    await callWith({ ...sampled, METRICS_SAMPLE_RATE: "0" }, "/healthz");
    expect(points.slice(ok).map((p) => [p.blobs?.[4], p.doubles?.[0], p.doubles?.[2]])).toEqual([
      ["", 1, 401],
      ["kv-error", 1, 200],
    ]);
  });

  it("answers the same without the binding, as in local runs", async () => {
    const res = await callWith({ METRICS: undefined as unknown as AnalyticsEngineDataset }, "/v1/users/m-3/segments", { headers: S2S });
    expect(res.status).toBe(200);
  });

  it("counts profile changes in the user's object", async () => {
    await putSegments();
    const stub = env.USER_PROFILE.getByName("m-obj");
    const { points, dataset } = recorder();
    await runInDurableObject(stub, (o: UserProfile) => {
      (o as unknown as { env: Env }).env = { ...env, METRICS: dataset };
    });
    await stub.track("m-obj", [view("m1", { url: "/cars/a" }), view("m1", { url: "/cars/a" })]);
    await stub.erase("m-obj");
    expect(points.map((p) => [p.blobs?.[1], ...(p.doubles ?? [])])).toEqual([
      ["track", 1, 1, 1],
      ["publish", 1, 1],
      ["erase", 1],
    ]);
  });
});

describe("GET /v1/admin/stats", () => {
  it("summarises this isolate's cache for the operator", async () => {
    await env.PROFILES.put("u:s-1", encodeProfile({ ts: 1, segments: [{ id: "607" }] }));
    await call("/v1/users/s-1/segments", { headers: S2S });
    await call("/v1/users/s-1/segments", { headers: S2S });
    expect((await call("/v1/admin/stats")).status).toBe(401);
    const stats = (await (await call("/v1/admin/stats", { headers: ADMIN })).json()) as {
      startedAt: number;
      requests: number;
      lookups: number;
      cache: { entries: number; bytes: number; hits: number; misses: number; hitRatio: number; maxEntries: number; maxBytes: number };
    };
    expect(stats.startedAt).toBeGreaterThan(1_600_000_000_000);
    expect(stats.cache.entries).toBeGreaterThanOrEqual(1);
    expect(stats.cache.bytes).toBeGreaterThan(0);
    expect(stats.cache.hits).toBeGreaterThanOrEqual(1);
    expect(stats.cache.hitRatio).toBeCloseTo(stats.cache.hits / (stats.cache.hits + stats.cache.misses), 3);
    expect(stats.cache.maxEntries).toBe(250_000);
    expect(stats.lookups).toBeGreaterThanOrEqual(2);
    expect(stats.requests).toBeGreaterThan(stats.lookups);
  });
});
