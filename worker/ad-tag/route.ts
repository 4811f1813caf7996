/** `GET /v1/tag.js`: the ad tag, one static script for every publisher, cacheable by browsers and Cloudflare's cache alike. */
import { Hono } from "hono";
import { TAG_ETAG, TAG_JS } from "../../tag/tag-bundle";
import type { AppEnv } from "../http/hono-env";

export const TAG_PATH = "/v1/tag.js";
/**
 * An hour in browsers and shared caches, then revalidated by ETag (a 304 of a few bytes). Publishers
 * load the unversioned URL, so a fixed tag reaches every page within the hour.
 */
export const TAG_CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400";

export const tagRoutes = new Hono<AppEnv>();

tagRoutes.get(TAG_PATH, (c) => {
  const headers = {
    "Cache-Control": TAG_CACHE_CONTROL,
    ETag: TAG_ETAG,
    "Content-Type": "application/javascript; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
    // Pages that isolate themselves (COEP) may still load it.
    "Cross-Origin-Resource-Policy": "cross-origin",
  };
  const match = c.req.header("If-None-Match");
  if (match?.split(",").some((t) => t.trim().replace(/^W\//, "") === TAG_ETAG)) return c.body(null, 304, headers);
  return c.body(TAG_JS, 200, headers);
});
