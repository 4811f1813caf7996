/** Declared ids: `POST /v1/identify` joins the browser to the person whose hashed e-mail or publisher id it declares. */
import { Hono } from "hono";
import { logSignals } from "../../domain/event-log-format";
import { type DeclaredId, declaredKey, MAX_IDENTIFY_BYTES, parseDeclaredId } from "../../domain/identity/declared-id";
import { UdnError } from "../../domain/input-error";
import { errorText, logEvent } from "../../domain/log";
import { encodeProfile, type Profile } from "../../domain/profile-record";
import type { MergeOutcome } from "../../durable/user-profile";
import { declaredIdObject, userProfile } from "../../platform/stubs";
import { enqueueGroup } from "../events/event-log";
import { eventsLimited } from "../events/rate-limit";
import { acceptedBeacon } from "../events/routes";
import { cors } from "../http/cors";
import type { AppEnv } from "../http/hono-env";
import { readText } from "../http/request-limits";
import { clock, profileCache } from "../isolate";
import { locationPut } from "../lookup/location-cache";
import { locationCacheSeconds } from "../settings";
import { browserId } from "./browser-id";

const RETRY_AFTER_S = 10;

/**
 * The person's uid for a declared id, the person's object told it is one, and the browser's own profile merged into
 * it; null when the declared id or its person was erased (they stay so).
 */
async function join(
  env: Env,
  uid: string,
  newId: boolean,
  declared: DeclaredId,
): Promise<{ person: string; merged: MergeOutcome; profile: Profile } | null> {
  const key = declaredKey(declared);
  const person = await declaredIdObject(env, key).claim();
  if (!person) return null;
  const adopted = await userProfile(env, person).adopt(person, key);
  if (adopted.erased) return null;
  // A minted id has nothing stored to merge; one that is a person's (another declared id) stays that person's (mergeInto).
  if (person === uid || newId) return { person, merged: person === uid ? "person" : "empty", profile: adopted.profile };
  const { outcome, profile } = await userProfile(env, uid).mergeInto(uid, person);
  return { person, merged: outcome, profile: profile ?? adopted.profile };
}

export const identifyRoutes = new Hono<AppEnv>();

identifyRoutes.use("/v1/identify", cors);
identifyRoutes.post("/v1/identify", acceptedBeacon(MAX_IDENTIFY_BYTES), browserId, async (c) => {
  const declared = parseDeclaredId(await readText(c.req.raw, MAX_IDENTIFY_BYTES));
  c.header("Cache-Control", "no-store");
  const uid = c.get("uid");
  if (!uid) return c.json({ identified: false });
  if (await eventsLimited(c.env, uid, c.req.header("CF-Connecting-IP"))) {
    c.header("Retry-After", String(RETRY_AFTER_S));
    throw new UdnError(429, "too many requests from this browser or IP address; retry later");
  }
  const joined = await join(c.env, uid, c.get("newId"), declared).catch((e: unknown) => {
    logEvent("error", "declared id could not join its person", { error: errorText(e) });
    throw new UdnError(503, "the declared id could not be joined now; retry");
  });
  if (!joined) return c.json({ identified: false });
  const { person, merged, profile } = joined;
  if (merged === "merged") {
    // The batch engine counts this browser's events, before and after, as the person's.
    const received = Date.now();
    const props = { into: person };
    enqueueGroup(c.env, c.executionCtx, {
      uid,
      received,
      signals: logSignals(c.get("consent")),
      events: [{ id: `link-${received}`, type: "link", ts: received, props }],
    });
  }
  // The browser reads its new profile at once, here and in the location's other isolates; its old one is gone.
  profileCache.set(person, profile, clock.now());
  if (person !== uid) profileCache.set(uid, null, clock.now());
  await locationPut(locationCacheSeconds(c.env), c.req.url, person, encodeProfile(profile)).catch(() => {});
  // browserId signs and sets the cookie of the uid the request ends with.
  c.set("uid", person);
  return c.json({ identified: true });
});
