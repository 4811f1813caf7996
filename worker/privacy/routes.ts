/** Opt-out from the browser and erasure by uid: the user's data goes from every tier. */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { ID_COOKIE, ID_MAX_AGE_S, OPTOUT_COOKIE, readIdCookies } from "../../domain/id-cookie";
import { ANY_UID_PATTERN } from "../../domain/ids";
import { UdnError } from "../../domain/input-error";
import { logPrivacyAction } from "../events/event-log";
import { bearerAuth } from "../http/bearer-auth";
import { cors } from "../http/cors";
import type { AppEnv } from "../http/hono-env";
import { verifyUid } from "../identity/signed-ids";
import { profileCache } from "../isolate";
import { apiKeys, cookiePartitioned, uidSecrets } from "../settings";

/** Erases the user in their object (which also removes the KV record and leaves a tombstone) and in this isolate's cache. */
export async function eraseUser(env: Env, uid: string): Promise<void> {
  await env.USER_PROFILE.getByName(uid).erase(uid);
  profileCache.delete(uid);
}

async function optout(c: Context<AppEnv>): Promise<Response> {
  const uid = verifyUid(readIdCookies(c.req.header("Cookie")).id, uidSecrets(c.env));
  if (uid) {
    await eraseUser(c.env, uid);
    await logPrivacyAction(c.env, uid, "optout", c.req.raw);
  }
  const attrs = { path: "/", sameSite: "None", secure: true, partitioned: cookiePartitioned(c.env) } as const;
  deleteCookie(c, ID_COOKIE, { ...attrs, httpOnly: true });
  setCookie(c, OPTOUT_COOKIE, "1", { ...attrs, maxAge: ID_MAX_AGE_S });
  c.header("Cache-Control", "no-store");
  return c.json({ optedOut: true });
}

export const privacyRoutes = new Hono<AppEnv>();

privacyRoutes.use("/v1/optout", cors);
privacyRoutes.get("/v1/optout", optout);
privacyRoutes.post("/v1/optout", optout);

privacyRoutes.delete(
  "/v1/users/:uid",
  bearerAuth((env) => apiKeys(env.API_KEYS)),
  async (c) => {
    const uid = c.req.param("uid");
    if (!ANY_UID_PATTERN.test(uid)) throw new UdnError(400, `uid must match ${ANY_UID_PATTERN.source}`);
    await eraseUser(c.env, uid);
    await logPrivacyAction(c.env, uid, "erase");
    return c.json({ erased: true });
  },
);
