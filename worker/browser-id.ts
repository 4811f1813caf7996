/** Resolves the browser's uid from its signed `udn_id` cookie, minting and setting a new one when it has none. */
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./hono-env";
import { newUid, signUid, verifyUid } from "./identity";
import { cookiePartitioned, uidSecrets } from "./settings";

export const ID_COOKIE = "udn_id";
export const OPTOUT_COOKIE = "udn_optout";
/** Chromium caps cookie lifetime at 400 days. */
export const ID_MAX_AGE_S = 400 * 86_400;

/** Verified cookie values: the value carries its signature, so a cached answer is as good as a new check. */
const verified = new Map<string, string>();
const MAX_VERIFIED = 50_000;

async function uidOf(value: string | undefined, secrets: readonly string[]): Promise<string | undefined> {
  if (!value) return undefined;
  const known = verified.get(value);
  if (known) return known;
  const uid = await verifyUid(value, secrets);
  if (uid) {
    if (verified.size >= MAX_VERIFIED) verified.clear();
    verified.set(value, uid);
  }
  return uid;
}

/** Sets `uid` to the verified id, a freshly minted one (cookie set), or null for an opted-out browser. */
export const browserId = createMiddleware<AppEnv>(async (c, next) => {
  if (getCookie(c, OPTOUT_COOKIE) === "1") {
    c.set("uid", null);
    return next();
  }
  const secrets = uidSecrets(c.env);
  let uid = await uidOf(getCookie(c, ID_COOKIE), secrets);
  if (!uid) {
    uid = newUid();
    setCookie(c, ID_COOKIE, await signUid(uid, secrets[0]!), {
      path: "/",
      maxAge: ID_MAX_AGE_S,
      sameSite: "None",
      secure: true,
      httpOnly: true,
      partitioned: cookiePartitioned(c.env),
    });
  }
  c.set("uid", uid);
  await next();
});
