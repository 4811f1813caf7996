/** Event collection from ad tags: JSON or text/plain beacons, and the 1×1 pixel. */
import { Hono, type Context } from "hono";
import { browserId } from "../browser-id";
import { cors } from "../cors";
import { MAX_BODY_BYTES, parseEventBody, parsePixelQuery, type UdnEvent } from "../event-input";
import { logEvents } from "../event-log";
import type { AppEnv } from "../hono-env";
import { UdnError } from "../http-error";

/** Query keys that carry consent or transport, never event props. */
const PIXEL_RESERVED = new Set(["gdpr", "gdpr_consent", "gpp", "gpp_sid", "us_privacy", "ts", "cb"]);
const GIF = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (ch) => ch.charCodeAt(0));

/** Hands the events to the user's object and to the raw event log after the response; the ad tag never waits for it. */
function forward(c: Context<AppEnv>, uid: string, events: UdnEvent[]): void {
  logEvents(c, uid, events);
  const stub = c.env.USER_PROFILE.getByName(uid);
  c.executionCtx.waitUntil(
    stub.track(uid, events).then(
      () => {},
      (e: unknown) => console.error(JSON.stringify({ msg: "event forward failed", events: events.length, error: String(e) })),
    ),
  );
}

export const eventRoutes = new Hono<AppEnv>();

eventRoutes.use("/v1/events", cors);
eventRoutes.post("/v1/events", async (c, next) => {
  // Reject what we cannot read before minting an id or touching anything.
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && type !== "text/plain") {
    throw new UdnError(415, "Content-Type must be application/json or text/plain");
  }
  const length = Number(c.req.header("Content-Length") ?? "0");
  if (length > MAX_BODY_BYTES) throw new UdnError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
  await next();
}, browserId, async (c) => {
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > MAX_BODY_BYTES) throw new UdnError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
  const events = parseEventBody(new TextDecoder().decode(buf), Date.now());
  const uid = c.get("uid");
  if (uid) forward(c, uid, events);
  c.header("Cache-Control", "no-store");
  return c.json({ accepted: uid ? events.length : 0 }, 202);
});

eventRoutes.get("/v1/px.gif", browserId, (c) => {
  const uid = c.get("uid");
  if (uid) {
    try {
      forward(c, uid, [parsePixelQuery(new URL(c.req.url).searchParams, Date.now(), PIXEL_RESERVED)]);
    } catch {
      // The pixel always answers its GIF; invalid input is simply not recorded.
    }
  }
  c.header("Cache-Control", "no-store");
  c.header("Content-Type", "image/gif");
  return c.body(GIF);
});
