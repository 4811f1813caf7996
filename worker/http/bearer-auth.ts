/** Bearer-token checks for server-to-server and admin endpoints, compared in constant time; the one decision for the app and the hot path. */
import { createMiddleware } from "hono/factory";
import { UdnError } from "../../domain/input-error";
import { acceptedTokens } from "../isolate";
import { s2sKeys } from "../settings";
import type { AppEnv } from "./hono-env";

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
  if (ok) {
    const set = acceptedTokens.byKeys.get(expected) ?? new Set<string>();
    acceptedTokens.byKeys.set(expected, set.add(given));
  }
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when the header is not one. */
function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header)?.[1] : undefined;
}

/**
 * The bearer token of an `Authorization` header (undefined when it is not one), and whether this isolate has
 * accepted it before: then no hashing is needed, and the hot path may answer.
 * @param keys the same array while the keys stay the same (apiKeys() memoises it)
 */
export function knownBearer(header: string | undefined, keys: readonly string[]): { token: string | undefined; accepted: boolean } {
  const token = bearerToken(header);
  return { token, accepted: token !== undefined && (acceptedTokens.byKeys.get(keys)?.has(token) ?? false) };
}

/** 401 without a bearer token, 403 with one that is not among `keys(env)`. */
export function bearerAuth(keys: (env: Env) => readonly string[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const expected = keys(c.env);
    const { token, accepted } = knownBearer(c.req.header("Authorization"), expected);
    if (!token) throw new UdnError(401, "missing Authorization: Bearer <key>");
    if (!accepted && !(await tokenMatches(token, expected))) throw new UdnError(403, "the bearer key is not valid for this endpoint");
    await next();
  });
}

/** Bidders' endpoints: API_KEYS. */
export const s2sAuth = bearerAuth(s2sKeys);

/** Operator endpoints: ADMIN_TOKEN alone. */
export const adminAuth = bearerAuth((env) => [env.ADMIN_TOKEN]);
