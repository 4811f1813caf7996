/**
 * The hot path: a returning browser's lookup answered from memory, and /healthz, without the router.
 * Nearly every request is a lookup of a cached profile by a browser whose cookie this isolate has checked
 * before; the router's context, middleware chain and awaits cost more than that answer itself. Whenever
 * anything is not in memory or not ordinary, this declines (undefined) and the app answers instead, so the
 * hot path only ever gives the answer the app would give (test/workers/hot-path.test.ts compares them).
 */
import { parse as parseCookies } from "hono/utils/cookie";
import { getQueryParam } from "hono/utils/url";
import { ID_COOKIE, OPTOUT_COOKIE, rememberedCookie } from "./browser-id";
import { decideConsentCached } from "./consent/decision-cache";
import { readConsentSignals } from "./consent/signals";
import { corsHeaders, originAllowed } from "./cors";
import { cachedLookup } from "./profile-lookup";
import { limitError } from "./request-limits";
import { recordRequestMetric } from "./request-metrics";
import { lookupBody, lookupHeaders } from "./routes/segments";
import { parseFormat, type Format } from "./segment-formats";
import { consentPolicy, usableUidSecrets } from "./settings";

/**
 * Header sets of hot answers, by format, outcome and allowed origin (a handful): handing the runtime a
 * ready Headers object costs less than a record it must read key by key, on every answer.
 */
const headerSets = new Map<string, Headers>();

/** @returns the answer, or undefined when the app must answer */
export function hotFetch(req: Request, env: Env, ctx: ExecutionContext): Response | undefined {
  if (req.method !== "GET") return undefined;
  const url = req.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const queryStart = url.indexOf("?", pathStart);
  const path = queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart);
  if (path !== "/healthz" && path !== "/v1/segments") return undefined;
  // One pass over the headers, shared by the limits and the lookup: each call into the runtime costs.
  const headers = [...req.headers];
  if (limitError(url, headers)) return undefined;
  try {
    if (path === "/healthz") {
      recordRequestMetric(env, req, () => path, "none", "", 0, 200);
      // As the app's `c.text("ok")`: the runtime's own text/plain content type.
      return new Response("ok");
    }
    return segments(req, env, ctx, url, queryStart, headers);
  } catch {
    // Whatever went wrong, the app meets it too and answers it properly.
    return undefined;
  }
}

function segments(req: Request, env: Env, ctx: ExecutionContext, url: string, queryStart: number, headers: [string, string][]): Response | undefined {
  let cookie = "";
  let origin: string | undefined;
  let secGpc: string | undefined;
  for (const [name, value] of headers) {
    if (name === "cookie") cookie = value;
    else if (name === "origin") origin = value;
    else if (name === "sec-gpc") secGpc = value;
  }
  let format: Format = "json";
  let callback: string | undefined;
  if (queryStart >= 0) {
    const parsed = parseFormat(getQueryParam(url, "format") as string | undefined, getQueryParam(url, "callback") as string | undefined);
    format = parsed.format;
    callback = parsed.callback;
  }
  const query = queryStart < 0 ? undefined : new URLSearchParams(url.slice(queryStart + 1));
  if (!decideConsentCached(readConsentSignals(query, secGpc), consentPolicy(env)).allowed) return undefined;
  const cookies = parseCookies(cookie);
  if (cookies[OPTOUT_COOKIE] === "1") return undefined;
  // Only an id checked before under the current secret: a new or re-signed id takes the app's path.
  const verified = rememberedCookie(cookies[ID_COOKIE], usableUidSecrets(env));
  if (!verified || verified.stale) return undefined;
  const found = cachedLookup(env, ctx, verified.uid);
  if (!found) return undefined;
  const [body, type] = lookupBody(env, found, format, callback);
  // Origins outside the list all get the same set, so the sets stay as few as the listed origins.
  const allowed = origin !== undefined && originAllowed(origin, env) ? origin : "";
  const key = `${format}\n${found.outcome}\n${allowed}`;
  let set = headerSets.get(key);
  if (!set) headerSets.set(key, (set = new Headers({ ...corsHeaders(origin, env), ...lookupHeaders(found, format, type) })));
  recordRequestMetric(env, req, () => "/v1/segments", found.outcome, "", 0, 200);
  return new Response(body, { headers: set });
}
