/** Middleware: the browser's uid from its signed `udn_id` cookie when consent allows, minting and setting a new one when it has none. */
import { setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { ID_COOKIE, ID_MAX_AGE_S } from "../../domain/id-cookie";
import { newUid } from "../../domain/ids";
import { logEvent } from "../../domain/log";
import { CONSENT_HEADER } from "../http/cors";
import type { AppEnv } from "../http/hono-env";
import { cookiePartitioned } from "../settings";
import { resolveBrowser } from "./resolve-browser";
import { signUid } from "./signed-ids";

/**
 * Sets `uid` to the verified id, a freshly minted one, or null when the browser opted out or the
 * request lacks the consent we need (then no cookie is read or set). A cookie is (re)set only on a
 * successful answer, so a rejected request changes nothing in the browser either.
 */
export const browserId = createMiddleware<AppEnv>(async (c, next) => {
  const browser = resolveBrowser(c.env, c.req.url, c.req.header("Cookie"), c.req.header("Sec-GPC"));
  c.set("consent", browser.signals);
  c.set("uid", null);
  c.set("newId", false);
  if (browser.kind === "opted-out") return next();
  if (browser.kind === "denied") {
    c.header(CONSENT_HEADER, `denied; ${browser.reason}`);
    return next();
  }
  if (browser.kind === "no-secret") {
    logEvent("error", "UID_SECRET is missing or too short; browsers are not identified");
    return next();
  }
  const uid = browser.kind === "known" ? browser.uid : newUid();
  c.set("uid", uid);
  c.set("newId", browser.kind === "new");
  await next();
  // A route may hand the browser another uid (a declared id joins it to a person's): that one is signed and set.
  const final = c.get("uid");
  const current = browser.kind === "known" && !browser.stale && final === uid;
  if (!final || current || c.res.status >= 400) return;
  // A new id, one signed with the previous secret during a rotation, or a new owner, gets a cookie signed with the current secret.
  setCookie(c, ID_COOKIE, await signUid(final, browser.secrets[0]!), {
    path: "/",
    maxAge: ID_MAX_AGE_S,
    sameSite: "None",
    secure: true,
    httpOnly: true,
    partitioned: cookiePartitioned(c.env),
  });
});
