/** The lookup routes' paths (and /healthz, which the hot path answers too), written once for the app, the hot path and metrics. */
export const PATHS = {
  health: "/healthz",
  browser: "/v1/segments",
  /** Hono's pattern, also the metrics' route label. */
  s2s: "/v1/users/:uid/segments",
  batch: "/v1/lookup",
  /** A user by a partner's id (matched by cookie sync). */
  partner: "/v1/partners/:partner/users/:puid/segments",
} as const;
