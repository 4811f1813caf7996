/** The edge Worker's Hono app: every route mounted, one JSON error shape. */
import { Hono } from "hono";
import { compileContextRules } from "../domain/context/compile";
import { compilePartners } from "../domain/identity/partners";
import { errorBody, isUdnError } from "../domain/input-error";
import { errorText, logEvent } from "../domain/log";
import { isConfigError } from "../domain/setting";
import { contextStore } from "../platform/context-store";
import { partnerStore } from "../platform/partner-store";
import { tagRoutes } from "./ad-tag/route";
import { documentRoutes } from "./admin/document-routes";
import { adminRoutes } from "./admin/routes";
import { eventRoutes, PIXEL_PATH, pixelGif } from "./events/routes";
import type { AppEnv } from "./http/hono-env";
import { requestLimits } from "./http/request-limits";
import { requestMetrics } from "./http/request-metrics";
import { identifyRoutes } from "./identity/identify-route";
import { partnerSyncRoutes } from "./identity/partner-sync-routes";
import { PATHS } from "./lookup/paths";
import { segmentRoutes } from "./lookup/routes";
import { privacyRoutes } from "./privacy/routes";

export const app = new Hono<AppEnv>();

app.use(requestMetrics);
app.use(requestLimits);
app.get(PATHS.health, (c) => c.text("ok"));
app.route("/", segmentRoutes);
app.route("/", eventRoutes);
app.route("/", privacyRoutes);
app.route("/", partnerSyncRoutes);
app.route("/", identifyRoutes);
app.route("/", adminRoutes);
app.route("/", documentRoutes("/v1/admin/context", contextStore, compileContextRules, '{"version":0,"rules":[]}'));
app.route("/", documentRoutes("/v1/admin/partners", partnerStore, compilePartners, '{"version":0,"partners":[]}'));
app.route("/", tagRoutes);

app.notFound((c) =>
  c.body(errorBody(`no route for ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 100)}`), 404, {
    "Content-Type": "application/json",
  }),
);

app.onError((err, c) => {
  // The pixel always answers its GIF, even to a request too large to read (docs/contract.md).
  if (isUdnError(err) && c.req.method === "GET" && c.req.path === PIXEL_PATH) return pixelGif(c);
  if (isUdnError(err)) return c.body(errorBody(err.message), err.status, { "Content-Type": "application/json" });
  if (isConfigError(err)) {
    // The deployment's fault, not the caller's: named (the var, never its value) so the operator finds it at once.
    logEvent("error", "configuration error", { error: err.message });
    return c.body(errorBody(`configuration error: ${err.message}`), 500, { "Content-Type": "application/json" });
  }
  // Unexpected: logged without request data (no uid, no IP), answered without internals.
  logEvent("error", "unhandled error", { route: c.req.routePath, error: errorText(err) });
  return c.body(errorBody("internal error"), 500, { "Content-Type": "application/json" });
});
