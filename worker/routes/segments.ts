/** Segment lookups: the browser's own (`/v1/segments`) and server-to-server by uid. */
import { Hono, type Context } from "hono";
import { bearerAuth } from "../auth";
import { browserId } from "../browser-id";
import { cors } from "../cors";
import type { AppEnv } from "../hono-env";
import { UdnError } from "../http-error";
import { ANY_UID_PATTERN } from "../identity";
import { EMPTY_PROFILE, type Profile } from "../profile-record";
import { readProfile, readProfiles } from "../profile-store";
import { readText } from "../request-limits";
import { parseFormat, renderSegments } from "../segment-formats";
import { apiKeys } from "../settings";

const MAX_LOOKUP_UIDS = 100;
const MAX_LOOKUP_BYTES = 16 * 1024;

function answer(c: Context<AppEnv>, profile: Profile): Response {
  const { format, callback } = parseFormat(c.req.query("format"), c.req.query("callback"));
  const [body, type] = renderSegments(profile, format, { providerName: c.env.PROVIDER_NAME, gptKey: c.env.GPT_KEY }, callback);
  c.header("Cache-Control", "private, no-store");
  c.header("Content-Type", type);
  if (format === "js") c.header("X-Content-Type-Options", "nosniff");
  return c.body(body);
}

function checkUid(uid: string): string {
  if (!ANY_UID_PATTERN.test(uid)) throw new UdnError(400, `uid must match ${ANY_UID_PATTERN.source}`);
  return uid;
}

export const segmentRoutes = new Hono<AppEnv>();

segmentRoutes.use("/v1/segments", cors);
segmentRoutes.get("/v1/segments", browserId, async (c) => {
  const uid = c.get("uid");
  // Validate the format before any I/O so a bad request costs nothing.
  parseFormat(c.req.query("format"), c.req.query("callback"));
  return answer(c, uid ? await readProfile(c.env.PROFILES, uid) : EMPTY_PROFILE);
});

const s2s = bearerAuth((env) => apiKeys(env.API_KEYS));

segmentRoutes.get("/v1/users/:uid/segments", s2s, async (c) => {
  const uid = checkUid(c.req.param("uid"));
  parseFormat(c.req.query("format"), c.req.query("callback"));
  return answer(c, await readProfile(c.env.PROFILES, uid));
});

segmentRoutes.post("/v1/lookup", s2s, async (c) => {
  const text = await readText(c.req.raw, MAX_LOOKUP_BYTES);
  let body: { uids?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new UdnError(400, "body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || !Array.isArray(body.uids)) throw new UdnError(400, 'body must be {"uids":[…]}');
  if (body.uids.length > MAX_LOOKUP_UIDS) throw new UdnError(413, `uids has ${body.uids.length} entries; at most ${MAX_LOOKUP_UIDS}`);
  const uids = body.uids.map((u, i) => {
    if (typeof u !== "string" || !ANY_UID_PATTERN.test(u)) throw new UdnError(400, `uids[${i}] must match ${ANY_UID_PATTERN.source}`);
    return u;
  });
  const profiles = await readProfiles(c.env.PROFILES, [...new Set(uids)]);
  const results: Record<string, string[]> = {};
  for (const [uid, p] of profiles) results[uid] = p.segments.map((s) => s.id);
  c.header("Cache-Control", "private, no-store");
  return c.json({ results });
});
