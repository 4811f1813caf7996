/**
 * The hot path: lookups answered from memory, and /healthz, without the router. Nearly every request is
 * a lookup of a cached profile, by a browser whose cookie this isolate has checked before or by a bidder
 * whose key it has accepted before; the router's context, middleware chain and awaits cost more than
 * that answer itself. Whenever
 * anything is not in memory or not ordinary, this declines (undefined) and the app answers instead, so the
 * hot path only ever gives the answer the app would give (test/workers/hot-path.test.ts compares them).
 */
import { parse as parseCookies } from "hono/utils/cookie";
import { getQueryParam } from "hono/utils/url";
import { acceptedToken, bearerToken } from "./auth";
import { ID_COOKIE, OPTOUT_COOKIE, rememberedCookie } from "./browser-id";
import { decideConsentCached } from "./consent/decision-cache";
import { CONSENT_PARAMS, readConsentSignals } from "./consent/signals";
import { corsHeaders, originAllowed } from "./cors";
import { ANY_UID_PATTERN } from "./identity";
import { cachedLookup } from "./profile-lookup";
import { limitError } from "./request-limits";
import { recordRequestMetric } from "./request-metrics";
import { lookupBody, lookupHeaders } from "./routes/segments";
import { parseFormat, type Format } from "./segment-formats";
import { apiKeys, consentPolicy, usableUidSecrets } from "./settings";

/**
 * Header sets of hot answers, by route, format, outcome and allowed origin (a handful): handing the runtime a
 * ready Headers object costs less than a record it must read key by key, on every answer.
 */
const headerSets = new Map<string, Headers>();
const S2S_PREFIX = "/v1/users/";
const S2S_SUFFIX = "/segments";
const S2S_ROUTE = "/v1/users/:uid/segments";
/** A query that could name a consent parameter: one of their names, or a % that could spell one. */
const CONSENT_HINT = new RegExp([...CONSENT_PARAMS, "%"].join("|"));

/** The headers the hot path reads, from its one pass over them. */
interface Seen {
  cookie: string;
  origin?: string;
  secGpc?: string;
  authorization?: string;
}

/** @returns the answer, or undefined when the app must answer */
export function hotFetch(req: Request, env: Env, ctx: ExecutionContext): Response | undefined {
  if (req.method !== "GET") return undefined;
  const url = req.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const queryStart = url.indexOf("?", pathStart);
  const path = queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart);
  const s2s = path.startsWith(S2S_PREFIX) && path.endsWith(S2S_SUFFIX);
  if (path !== "/healthz" && path !== "/v1/segments" && !s2s) return undefined;
  // One pass over the headers, shared by the limits and the lookup: each call into the runtime costs.
  const headers = [...req.headers];
  if (limitError(url, headers)) return undefined;
  try {
    if (path === "/healthz") {
      recordRequestMetric(env, req, () => path, "none", "", 0, 200);
      // As the app's `c.text("ok")`: the runtime's own text/plain content type.
      return new Response("ok");
    }
    const seen: Seen = { cookie: "" };
    for (const [name, value] of headers) {
      if (name === "cookie") seen.cookie = value;
      else if (name === "origin") seen.origin = value;
      else if (name === "sec-gpc") seen.secGpc = value;
      else if (name === "authorization") seen.authorization = value;
    }
    const uid = s2s ? serverUid(env, path, seen) : browserUid(env, url, queryStart, seen);
    return uid === undefined ? undefined : answer(req, env, ctx, url, queryStart, uid, s2s ? null : seen.origin);
  } catch {
    // Whatever went wrong, the app meets it too and answers it properly.
    return undefined;
  }
}

/** The browser's uid when its consent allows and this isolate has verified its cookie under the current secret. */
function browserUid(env: Env, url: string, queryStart: number, seen: Seen): string | undefined {
  const text = queryStart < 0 ? "" : url.slice(queryStart + 1);
  const query = CONSENT_HINT.test(text) ? new URLSearchParams(text) : undefined;
  if (!decideConsentCached(readConsentSignals(query, seen.secGpc), consentPolicy(env)).allowed) return undefined;
  const cookies = parseCookies(seen.cookie);
  if (cookies[OPTOUT_COOKIE] === "1") return undefined;
  // A new id, or one signed with the previous secret (to be re-signed), takes the app's path.
  const verified = rememberedCookie(cookies[ID_COOKIE], usableUidSecrets(env));
  return verified && !verified.stale ? verified.uid : undefined;
}

/** The uid of a server-to-server lookup whose bearer key this isolate has accepted before. */
function serverUid(env: Env, path: string, seen: Seen): string | undefined {
  const uid = path.slice(S2S_PREFIX.length, -S2S_SUFFIX.length);
  // Percent-encoded or malformed ids are the app's to decode or refuse.
  if (!ANY_UID_PATTERN.test(uid)) return undefined;
  const token = bearerToken(seen.authorization);
  return token && acceptedToken(token, apiKeys(env.API_KEYS)) ? uid : undefined;
}

/** @param origin the browser's Origin header (undefined when none); null for a server-to-server lookup */
function answer(req: Request, env: Env, ctx: ExecutionContext, url: string, queryStart: number, uid: string, origin: string | null | undefined): Response | undefined {
  let format: Format = "json";
  let callback: string | undefined;
  if (queryStart >= 0) {
    const parsed = parseFormat(getQueryParam(url, "format") as string | undefined, getQueryParam(url, "callback") as string | undefined);
    format = parsed.format;
    callback = parsed.callback;
  }
  const found = cachedLookup(env, ctx, uid);
  if (!found) return undefined;
  const [body, type] = lookupBody(env, found, format, callback);
  // Browser answers carry CORS; origins outside the list all get the same set, so the sets stay few.
  const browser = origin !== null;
  const allowed = origin && originAllowed(origin, env) ? origin : "";
  const key = `${browser}\n${format}\n${found.outcome}\n${allowed}`;
  let set = headerSets.get(key);
  if (!set) {
    const cors = origin === null ? {} : corsHeaders(origin, env);
    headerSets.set(key, (set = new Headers({ ...cors, ...lookupHeaders(found, format, type) })));
  }
  recordRequestMetric(env, req, () => (browser ? "/v1/segments" : S2S_ROUTE), found.outcome, "", 0, 200);
  return new Response(body, { headers: set });
}
