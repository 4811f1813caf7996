/** Event collection from ad tags: JSON or text/plain beacons, and the 1×1 pixel. */
import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { CONSENT_PARAMS } from "../../domain/consent/signals";
import { MAX_BODY_BYTES, parseEventBody, parsePixelQuery, type UdnEvent } from "../../domain/event-input";
import { type EventLogGroup, logSignals } from "../../domain/event-log-format";
import type { EventRetryMessage } from "../../domain/event-retry-message";
import { UdnError } from "../../domain/input-error";
import { errorText, logEvent } from "../../domain/log";
import { encodeProfile, type Profile } from "../../domain/profile-record";
import type { ApplyResult } from "../../durable/user-profile";
import { userProfile } from "../../platform/stubs";
import { cors, originAllowed } from "../http/cors";
import { embeddingPageAllowed } from "../http/embedding-page";
import type { AppEnv } from "../http/hono-env";
import { readText } from "../http/request-limits";
import { browserId } from "../identity/browser-id";
import { clock, profileCache } from "../isolate";
import { lookupEids } from "../lookup/eids";
import { locationPut } from "../lookup/location-cache";
import { pageQuery, pageSegments } from "../lookup/page-segments";
import { locationCacheSeconds } from "../settings";
import { enqueueGroup } from "./event-log";
import { profileAnswer, wantsProfile } from "./profile-answer";
import { eventsLimited } from "./rate-limit";

export const PIXEL_PATH = "/v1/px.gif";
/** Query keys that carry consent or transport, never event props (`ts` is read by parsePixelQuery itself). */
const PIXEL_RESERVED = new Set([...CONSENT_PARAMS, "cb"]);
const GIF = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (ch) => ch.charCodeAt(0));
/** Seconds a limited client should wait: the browser limit's period (the IP limit's is longer, but approximate anyway). */
const RETRY_AFTER_S = 10;

/**
 * Hands the events to the user's object after the response; the ad tag never waits for it. Only what the object
 * accepts goes to the raw event log (an erased user's stay out of it), and its answer, the new profile, goes
 * straight into this isolate's cache: the user's own edge reads its writes without waiting for KV.
 * @returns the object's answer, for a caller that waits for it (`?answer=profile`); undefined when it failed
 */
function forward(c: Context<AppEnv>, uid: string, events: UdnEvent[]): Promise<Profile | undefined> {
  const { env, executionCtx: ctx } = c;
  const url = c.req.url;
  const group: EventLogGroup = { uid, received: Date.now(), signals: logSignals(c.get("consent")), events };
  const provisional = c.get("newId");
  const tracked = userProfile(env, uid).track(uid, events, { provisional });
  const accepted = async (r: ApplyResult) => {
    if (r.erased) return;
    const known = r.profile.segments.length > 0;
    profileCache.set(uid, known ? r.profile : null, clock.now());
    enqueueGroup(env, ctx, group);
    // The location's other isolates see the user's own writes too, before KV does.
    await locationPut(locationCacheSeconds(env), url, uid, known ? encodeProfile(r.profile) : null).catch(() => {});
  };
  ctx.waitUntil(
    tracked.then(
      (r) =>
        accepted(r).catch((e: unknown) => logEvent("error", "accepted events not logged", { events: events.length, error: errorText(e) })),
      // Overloaded or unreachable object: the retry queue delivers later (the object dedupes by event id).
      () =>
        env.EVENT_RETRY_QUEUE.send({ kind: "events", group, provisional } satisfies EventRetryMessage).catch((e: unknown) =>
          logEvent("error", "events lost: object and retry queue both failed", { events: events.length, error: errorText(e) }),
        ),
    ),
  );
  return tracked.then(
    (r) => r.profile,
    () => undefined,
  );
}

/** The pixel's answer, whatever happened: an <img> needs an image, never an error body. */
export function pixelGif(c: Context<AppEnv>): Response {
  c.header("Cache-Control", "no-store");
  c.header("Content-Type", "image/gif");
  return c.body(GIF, 200);
}

export const eventRoutes = new Hono<AppEnv>();

eventRoutes.use("/v1/events", cors);
/**
 * CORS only hides answers: a beacon from any page still arrives. A browser names the page's origin on
 * every POST, so events from pages not in ALLOWED_ORIGINS are refused here; servers send none.
 */
function foreignOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header("Origin");
  return origin !== undefined && !originAllowed(origin, c.env);
}

/** A beacon we can read, from a page we serve: checked before the browser is identified, so a refusal changes nothing. */
export function acceptedBeacon(maxBytes: number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (foreignOrigin(c)) throw new UdnError(403, "Origin is not in ALLOWED_ORIGINS: requests from this page are not accepted");
    // Reject what we cannot read before anything else.
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json" && type !== "text/plain") {
      throw new UdnError(415, "Content-Type must be application/json or text/plain");
    }
    const length = Number(c.req.header("Content-Length") ?? "0");
    if (length > maxBytes) throw new UdnError(413, `body is larger than ${maxBytes} bytes`);
    await next();
  });
}

eventRoutes.post("/v1/events", acceptedBeacon(MAX_BODY_BYTES), browserId, async (c) => {
  const events = parseEventBody(await readText(c.req.raw, MAX_BODY_BYTES), Date.now());
  // The profile answer carries the page's segments, as a lookup does: its parameters are checked before anything is applied.
  const page = wantsProfile(c.req.url) ? pageQuery(c.req.url) : undefined;
  const uid = c.get("uid");
  const limited = await eventsLimited(c.env, uid, c.req.header("CF-Connecting-IP"));
  if (limited) {
    c.header("Retry-After", String(RETRY_AFTER_S));
    throw new UdnError(429, `too many event requests from this ${limited === "ip" ? "IP address" : "browser"}; retry later`);
  }
  const applied = uid ? forward(c, uid, events) : undefined;
  c.header("Cache-Control", "no-store");
  if (page) {
    const context = await pageSegments(c.env, c.executionCtx, c.req.raw, page, true);
    const eids = (p: Profile) => (uid ? lookupEids(c.env, c.executionCtx, uid, p, c.get("consent")) : []);
    return c.json(await profileAnswer(c.env, uid ? events.length : 0, applied, context, eids), 200);
  }
  return c.json({ accepted: uid ? events.length : 0 }, 202);
});

eventRoutes.get(PIXEL_PATH, browserId, async (c) => {
  const uid = c.get("uid");
  if (uid) {
    let event: UdnEvent | undefined;
    try {
      event = parsePixelQuery(new URL(c.req.url).searchParams, Date.now(), PIXEL_RESERVED);
    } catch {
      // The pixel always answers its GIF; invalid input is simply not recorded.
    }
    const page = !foreignOrigin(c) && embeddingPageAllowed(c.env, c.req.header("Sec-Fetch-Site"), c.req.header("Referer"));
    if (event && page && !(await eventsLimited(c.env, uid, c.req.header("CF-Connecting-IP")))) forward(c, uid, [event]);
  }
  return pixelGif(c);
});
