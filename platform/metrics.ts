/** Metrics into Workers Analytics Engine: one data point per request, profile change and sync slice; nothing where the binding is absent. */

export type MetricKind = "request" | "profile" | "sync";

/** The dataset is optional: local runs and tests without it must behave the same. */
interface MetricsEnv {
  METRICS?: AnalyticsEngineDataset;
}

/**
 * Layout, the same for every kind so one SQL table serves all dashboards:
 * index1 = kind; blob1 = kind, blob2..blob6 = kind-specific labels; double1 = how many events the point
 * stands for (1, or 1/rate for sampled request points),
 * double2..double4 = kind-specific values. See the README's SQL.
 */
export function writeMetric(env: MetricsEnv, kind: MetricKind, labels: string[], values: number[], weight = 1): void {
  try {
    env.METRICS?.writeDataPoint({ indexes: [kind], blobs: [kind, ...labels], doubles: [weight, ...values] });
  } catch {
    // Metrics never break a request.
  }
}

const BUCKETS: [number, string][] = [
  [1, "<1ms"],
  [5, "1-5ms"],
  [20, "5-20ms"],
  [100, "20-100ms"],
];

/** Coarse latency classes for dashboards; exact values travel as a double too. */
export function latencyBucket(ms: number): string {
  for (const [max, label] of BUCKETS) if (ms < max) return label;
  return ">=100ms";
}
