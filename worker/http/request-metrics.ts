/** Middleware writing one metric per request: route, cache outcome, degraded flag, latency bucket, colo, status. */
import { createMiddleware } from "hono/factory";
import { latencyBucket, writeMetric } from "../../platform/metrics";
import { counters } from "../isolate";
import { metricsSampleRate } from "../settings";
import type { AppEnv } from "./hono-env";

export const requestMetrics = createMiddleware<AppEnv>(async (c, next) => {
  // In Workers the clock moves only across I/O, so this is time spent waiting (KV, objects), not CPU.
  const started = Date.now();
  try {
    await next();
  } finally {
    recordRequestMetric(
      c.env,
      c.req.raw,
      () => c.req.routePath,
      c.get("cacheOutcome") ?? "none",
      c.get("degraded") ?? "",
      Date.now() - started,
      c.res.status,
    );
  }
});

/**
 * Counts the request for this isolate's stats and writes its (sampled) data point; the router and the hot
 * path (hot-path.ts) both call it, so every answer is counted once and alike.
 * @param route the matched route pattern, asked for only when a point is written
 */
export function recordRequestMetric(
  env: Env,
  req: Request,
  route: () => string,
  outcome: string,
  degraded: string,
  ms: number,
  status: number,
): void {
  if (!counters.startedAt) counters.startedAt = Date.now();
  counters.requests++;
  if (outcome !== "none") counters.lookups++;
  if (degraded !== "") counters.degraded++;
  // Billed per data point: at tens of billions of requests a day, ordinary answers are sampled (each
  // point then stands for 1/rate requests); errors and degraded answers are always written.
  const rate = metricsSampleRate(env);
  const always = degraded !== "" || status >= 400;
  if (always || Math.random() < rate) {
    const colo = (req as { cf?: { colo?: string } }).cf?.colo ?? "local";
    writeMetric(env, "request", [route(), req.method, outcome, degraded, latencyBucket(ms), colo], [ms, status], always ? 1 : 1 / rate);
  }
}
