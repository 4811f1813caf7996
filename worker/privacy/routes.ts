/** Opt-out from the browser and erasure by uid: the user's data goes from every tier, and a fault never keeps the browser's id. */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { logSignals } from "../../domain/event-log-format";
import type { EventRetryMessage, PrivacyAction } from "../../domain/event-retry-message";
import { ID_COOKIE, ID_MAX_AGE_S, OPTOUT_COOKIE } from "../../domain/id-cookie";
import { checkedUid } from "../../domain/ids";
import { errorBody, UdnError } from "../../domain/input-error";
import { errorText, logEvent } from "../../domain/log";
import { finishPrivacyAction } from "../../platform/privacy-actions";
import { bearerAuth } from "../http/bearer-auth";
import { cors } from "../http/cors";
import type { AppEnv } from "../http/hono-env";
import { cookieUid } from "../identity/resolve-browser";
import { clock, profileCache } from "../isolate";
import { locationDelete } from "../lookup/location-cache";
import { cookiePartitioned, eraseKeys, locationCacheSeconds } from "../settings";
import { requestSignals } from "./request-consent";

/** How far an opt-out or erasure got before the answer: finished, or handed to the retry queue to finish. */
type Progress = "done" | "queued";

/**
 * Erases the user everywhere and logs it. This isolate's cache keeps a tombstone at once, so no lookup or event answer
 * already under way puts the profile back, and this location's cache drops its entry. When the object or the log cannot be reached, the whole action goes to the
 * retry queue (erasing and logging again are harmless); only when that fails too does this throw.
 */
async function erase(env: Env, action: PrivacyAction, requestUrl: string): Promise<Progress> {
  profileCache.seal(action.uid, clock.now());
  // This location's other isolates stop serving it at once; other locations' entries end with their TTL.
  await locationDelete(locationCacheSeconds(env), requestUrl, action.uid).catch(() => {});
  try {
    await finishPrivacyAction(env, action);
    return "done";
  } catch (e) {
    logEvent("warn", "erasure handed to the retry queue", { kind: action.kind, error: errorText(e) });
    await env.EVENT_RETRY_QUEUE.send(action satisfies EventRetryMessage);
    return "queued";
  }
}

/** The browser is opted out whatever fails behind it: its id cookie goes and udn_optout is set on every answer. */
async function optout(c: Context<AppEnv>): Promise<Response> {
  const uid = cookieUid(c.env, c.req.header("Cookie"));
  let progress: Progress | "failed" = "done";
  if (uid) {
    const signals = logSignals(requestSignals(c.req.url, c.req.header("Sec-GPC")));
    progress = await erase(c.env, { kind: "optout", uid, received: Date.now(), signals }, c.req.url).catch((e: unknown) => {
      logEvent("error", "opt-out erasure could not start: the object and the retry queue both failed", { error: errorText(e) });
      return "failed" as const;
    });
  }
  const attrs = { path: "/", sameSite: "None", secure: true, partitioned: cookiePartitioned(c.env) } as const;
  deleteCookie(c, ID_COOKIE, { ...attrs, httpOnly: true });
  setCookie(c, OPTOUT_COOKIE, "1", { ...attrs, maxAge: ID_MAX_AGE_S });
  c.header("Cache-Control", "no-store");
  if (progress === "failed") {
    c.header("Content-Type", "application/json");
    return c.body(
      errorBody("opted out in this browser, but its stored data could not be erased now; the data expires with retention"),
      503,
    );
  }
  return progress === "done" ? c.json({ optedOut: true }) : c.json({ optedOut: true, erasure: "queued" }, 202);
}

export const privacyRoutes = new Hono<AppEnv>();

privacyRoutes.use("/v1/optout", cors);
privacyRoutes.get("/v1/optout", optout);
privacyRoutes.post("/v1/optout", optout);

privacyRoutes.delete("/v1/users/:uid", bearerAuth(eraseKeys), async (c) => {
  const uid = checkedUid(c.req.param("uid"), "uid");
  const progress = await erase(c.env, { kind: "erase", uid, received: Date.now(), signals: {} }, c.req.url).catch((e: unknown) => {
    logEvent("error", "erasure could not start: the object and the retry queue both failed", { error: errorText(e) });
    throw new UdnError(503, "the user could not be erased now, nor queued for erasure; retry");
  });
  return progress === "done" ? c.json({ erased: true }) : c.json({ erased: false, queued: true }, 202);
});
