/** Bearer-token checks for server-to-server and admin endpoints, compared in constant time. */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./hono-env";
import { UdnError } from "./http-error";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/** Hashing first makes both sides the same length, so the comparison leaks neither content nor length. */
export async function tokenMatches(given: string, expected: readonly string[]): Promise<boolean> {
  const g = await digest(given);
  let ok = false;
  for (const key of expected) {
    if (key && crypto.subtle.timingSafeEqual(g, await digest(key))) ok = true;
  }
  return ok;
}

/** 401 without a bearer token, 403 with one that is not among `keys(env)`. */
export function bearerAuth(keys: (env: Env) => readonly string[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("Authorization");
    const m = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
    if (!m) throw new UdnError(401, "missing Authorization: Bearer <key>");
    if (!(await tokenMatches(m[1]!, keys(c.env)))) throw new UdnError(403, "the bearer key is not valid for this endpoint");
    await next();
  });
}
