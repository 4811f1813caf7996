/** Credentialed CORS for the browser endpoints: only listed origins, never `*` or `null`. */
import { createMiddleware } from "hono/factory";
import { allowedOrigins } from "../settings";
import type { AppEnv } from "./hono-env";

/** Tells a publisher's engineer why a browser was not identified; never carries the signal's value. */
export const CONSENT_HEADER = "X-Udn-Consent";

/** An exact listed origin; never `null` (sandboxed frames, file: pages), which any page can produce. */
export function originAllowed(origin: string, env: Env): boolean {
  return origin !== "null" && allowedOrigins(env.ALLOWED_ORIGINS).has(origin);
}

export const cors = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("Origin");
  if (c.req.method === "OPTIONS") {
    const allowed = origin !== undefined && originAllowed(origin, c.env);
    c.header("Vary", "Origin");
    if (!allowed) return c.body(null, 204);
    c.header("Access-Control-Allow-Origin", origin);
    c.header("Access-Control-Allow-Credentials", "true");
    c.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    c.header("Access-Control-Allow-Headers", c.req.header("Access-Control-Request-Headers")?.slice(0, 200) ?? "Content-Type");
    c.header("Access-Control-Max-Age", "86400");
    return c.body(null, 204);
  }
  // Set before the handler runs, so they go out on its answer and on errors alike, with no header copy afterwards.
  for (const [name, value] of Object.entries(corsHeaders(origin, c.env))) c.header(name, value);
  await next();
});

/** The CORS headers of an answer (not a preflight) to a request from `origin`; the hot path adds them too. */
export function corsHeaders(origin: string | undefined, env: Env): Record<string, string> {
  if (origin === undefined || !originAllowed(origin, env)) return { Vary: "Origin" };
  return {
    Vary: "Origin",
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Credentials": "true",
    // Lets the ad tag tell its publisher why it was not identified.
    "Access-Control-Expose-Headers": CONSENT_HEADER,
  };
}
