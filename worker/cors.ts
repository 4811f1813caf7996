/** Credentialed CORS for the browser endpoints: only listed origins, never `*` or `null`. */
import { createMiddleware } from "hono/factory";
import { CONSENT_HEADER } from "./browser-id";
import type { AppEnv } from "./hono-env";
import { allowedOrigins } from "./settings";

/** An exact listed origin; never `null` (sandboxed frames, file: pages), which any page can produce. */
export function originAllowed(origin: string, env: Env): boolean {
  return origin !== "null" && allowedOrigins(env.ALLOWED_ORIGINS).has(origin);
}

export const cors = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("Origin");
  const allowed = origin !== undefined && originAllowed(origin, c.env);
  if (c.req.method === "OPTIONS") {
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
  c.header("Vary", "Origin");
  if (allowed) {
    c.header("Access-Control-Allow-Origin", origin);
    c.header("Access-Control-Allow-Credentials", "true");
    // Lets the ad tag tell its publisher why it was not identified.
    c.header("Access-Control-Expose-Headers", CONSENT_HEADER);
  }
  await next();
});
