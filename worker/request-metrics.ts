/** Middleware writing one metric per request: route, cache outcome, degraded flag, latency bucket, colo, status. */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./hono-env";
import { latencyBucket, writeMetric } from "./metrics";
import { recordRequest } from "./isolate-stats";

export const requestMetrics = createMiddleware<AppEnv>(async (c, next) => {
  // In Workers the clock moves only across I/O, so this is time spent waiting (KV, objects), not CPU.
  const started = Date.now();
  try {
    await next();
  } finally {
    const ms = Date.now() - started;
    const outcome = c.get("cacheOutcome") ?? "none";
    const degraded = c.get("degraded") ?? "";
    const colo = (c.req.raw as { cf?: { colo?: string } }).cf?.colo ?? "local";
    recordRequest(outcome, degraded !== "");
    // Billed per data point: at tens of billions of requests a day, ordinary answers are sampled (each
    // point then stands for 1/rate requests); errors and degraded answers are always written.
    const rate = Number(c.env.METRICS_SAMPLE_RATE ?? 1);
    const always = degraded !== "" || c.res.status >= 400;
    if (always || Math.random() < rate) {
      writeMetric(c.env, "request", [c.req.routePath, c.req.method, outcome, degraded, latencyBucket(ms), colo], [ms, c.res.status], always ? 1 : 1 / rate);
    }
  }
});
