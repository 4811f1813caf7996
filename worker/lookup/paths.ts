/** The lookup routes' paths (and /healthz, which the hot path answers too), written once for the app, the hot path and metrics. */
export const PATHS = {
  health: "/healthz",
  browser: "/v1/segments",
  /** Hono's pattern, also the metrics' route label. */
  s2s: "/v1/users/:uid/segments",
  batch: "/v1/lookup",
} as const;
