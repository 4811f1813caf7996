/** The edge Worker's Hono app: every route mounted, one JSON error shape. */
import { Hono } from "hono";
import type { AppEnv } from "./hono-env";
import { errorBody, isUdnError } from "./http-error";
import { errorText, logEvent } from "./log";
import { requestLimits } from "./request-limits";
import { requestMetrics } from "./request-metrics";
import { adminRoutes } from "./routes/admin";
import { eventRoutes, PIXEL_PATH, pixelGif } from "./routes/events";
import { privacyRoutes } from "./routes/privacy";
import { segmentRoutes } from "./routes/segments";
import { tagRoutes } from "./routes/tag";

export const app = new Hono<AppEnv>();

app.use(requestMetrics);
app.use(requestLimits);
app.get("/healthz", (c) => c.text("ok"));
app.route("/", segmentRoutes);
app.route("/", eventRoutes);
app.route("/", privacyRoutes);
app.route("/", adminRoutes);
app.route("/", tagRoutes);

app.notFound((c) => c.body(errorBody(`no route for ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 100)}`), 404, { "Content-Type": "application/json" }));

app.onError((err, c) => {
  // The contract's pixel always answers its GIF, even to a request too large to read.
  if (isUdnError(err) && c.req.method === "GET" && c.req.path === PIXEL_PATH) return pixelGif(c);
  if (isUdnError(err)) return c.body(errorBody(err.message), err.status, { "Content-Type": "application/json" });
  // Unexpected: logged without request data (no uid, no IP), answered without internals.
  logEvent("error", "unhandled error", { route: c.req.routePath, error: errorText(err) });
  return c.body(errorBody("internal error"), 500, { "Content-Type": "application/json" });
});
