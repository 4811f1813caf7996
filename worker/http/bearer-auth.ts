/** Bearer-token checks for server-to-server and admin endpoints, compared in constant time. */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./hono-env";
import { UdnError } from "../../domain/input-error";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * Tokens found valid, per key list (apiKeys() returns the same array while API_KEYS stays the same): at most
 * one per key. A lookup here reveals only whether the whole token is valid, which the answer says anyway.
 */
const accepted = new WeakMap<readonly string[], Set<string>>();

/** A token already found valid against these keys, known without hashing: the hot path's check. */
export function acceptedToken(given: string, expected: readonly string[]): boolean {
  return accepted.get(expected)?.has(given) ?? false;
}

/** Hashing first makes both sides the same length, so the comparison leaks neither content nor length. */
export async function tokenMatches(given: string, expected: readonly string[]): Promise<boolean> {
  if (acceptedToken(given, expected)) return true;
  const g = await digest(given);
  let ok = false;
  for (const key of expected) {
    if (key && crypto.subtle.timingSafeEqual(g, await digest(key))) ok = true;
  }
  if (ok) {
    const set = accepted.get(expected) ?? new Set<string>();
    accepted.set(expected, set.add(given));
  }
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when the header is not one. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header)?.[1] : undefined;
}

/** 401 without a bearer token, 403 with one that is not among `keys(env)`. */
export function bearerAuth(keys: (env: Env) => readonly string[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c.req.header("Authorization"));
    if (!token) throw new UdnError(401, "missing Authorization: Bearer <key>");
    if (!(await tokenMatches(token, keys(c.env)))) throw new UdnError(403, "the bearer key is not valid for this endpoint");
    await next();
  });
}
