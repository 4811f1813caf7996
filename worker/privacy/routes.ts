/** Opt-out from the browser and erasure by uid: the user's data goes from every tier. */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { ID_COOKIE, ID_MAX_AGE_S, OPTOUT_COOKIE } from "../../domain/id-cookie";
import { checkedUid } from "../../domain/ids";
import { userProfile } from "../../platform/stubs";
import { logPrivacyAction } from "../events/event-log";
import { s2sAuth } from "../http/bearer-auth";
import { cors } from "../http/cors";
import type { AppEnv } from "../http/hono-env";
import { cookieUid } from "../identity/resolve-browser";
import { profileCache } from "../isolate";
import { cookiePartitioned } from "../settings";

/** Erases the user in their object (which also removes the KV record and leaves a tombstone) and in this isolate's cache. */
export async function eraseUser(env: Env, uid: string): Promise<void> {
  await userProfile(env, uid).erase(uid);
  profileCache.delete(uid);
}

async function optout(c: Context<AppEnv>): Promise<Response> {
  const uid = cookieUid(c.env, c.req.header("Cookie"));
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

privacyRoutes.delete("/v1/users/:uid", s2sAuth, async (c) => {
  const uid = checkedUid(c.req.param("uid"), "uid");
  await eraseUser(c.env, uid);
  await logPrivacyAction(c.env, uid, "erase");
  return c.json({ erased: true });
});
