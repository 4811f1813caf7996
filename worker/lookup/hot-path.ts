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
import { acceptedToken, bearerToken } from "../http/bearer-auth";
import { ID_COOKIE, OPTOUT_COOKIE, verifyCookie } from "../identity/browser-id";
import { decideConsentCached } from "../privacy/consent-memo";
import { CONSENT_PARAMS, readConsentSignals } from "../../domain/consent/signals";
import { corsHeaders, originAllowed } from "../http/cors";
import { ANY_UID_PATTERN } from "../../domain/ids";
import { lookupProfile, type Lookup } from "./profile-lookup";
import { limitError } from "../http/request-limits";
import { recordRequestMetric } from "../http/request-metrics";
import { lookupBody, lookupHeaders } from "./routes";
import { parseFormat, type Format } from "../../domain/segment-formats";
import { apiKeys, consentPolicy, usableUidSecrets } from "../settings";

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

type Hot = Response | undefined;

/** @returns the answer (or its promise), or undefined when the app must answer; a promise of undefined too */
export function hotFetch(req: Request, env: Env, ctx: ExecutionContext): Hot | Promise<Hot> {
  if (req.method !== "GET") return undefined;
  const url = req.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const queryStart = url.indexOf("?", pathStart);
  const path = queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart);
  const s2s = path.startsWith(S2S_PREFIX) && path.endsWith(S2S_SUFFIX);
  if (path !== "/healthz" && path !== "/v1/segments" && !s2s) return undefined;
  // One pass over the headers, shared by the limits and the lookup: each call into the runtime costs.
  const seen: Seen = { cookie: "" };
  const see = (name: string, value: string) => {
    if (name === "cookie") seen.cookie = value;
    else if (name === "origin") seen.origin = value;
    else if (name === "sec-gpc") seen.secGpc = value;
    else if (name === "authorization") seen.authorization = value;
  };
  if (limitError(url, req.headers, see)) return undefined;
  try {
    if (path === "/healthz") {
      recordRequestMetric(env, req, () => path, "none", "", 0, 200);
      // As the app's `c.text("ok")`: the runtime's own text/plain content type.
      return new Response("ok");
    }
    const { format, callback } = queryStart < 0 ? JSON_FORMAT : parseFormat(getQueryParam(url, "format") as string | undefined, getQueryParam(url, "callback") as string | undefined);
    const to: Target = { req, env, ctx, format, callback, origin: s2s ? null : seen.origin, started: Date.now() };
    const uid = s2s ? serverUid(env, path, seen) : browserUid(env, url, queryStart, seen);
    return uid === undefined ? undefined : answer(to, uid);
  } catch {
    // Whatever went wrong, the app meets it too and answers it properly.
    return undefined;
  }
}

const JSON_FORMAT: { format: Format; callback?: string } = { format: "json" };

/** Where and how an answer goes. `origin`: the browser's Origin header (undefined: none); null for a bidder. */
interface Target {
  req: Request;
  env: Env;
  ctx: ExecutionContext;
  format: Format;
  callback: string | undefined;
  origin: string | null | undefined;
  started: number;
}

/**
 * The browser's uid when its consent allows and its cookie is good under the current secret: remembered
 * from an earlier check, or checked now. A new browser, or an id to re-sign, is the app's.
 */
function browserUid(env: Env, url: string, queryStart: number, seen: Seen): string | undefined {
  const text = queryStart < 0 ? "" : url.slice(queryStart + 1);
  const query = CONSENT_HINT.test(text) ? new URLSearchParams(text) : undefined;
  if (!decideConsentCached(readConsentSignals(query, seen.secGpc), consentPolicy(env)).allowed) return undefined;
  const value = idCookie(seen.cookie);
  if (value === null) return undefined;
  const secrets = usableUidSecrets(env);
  if (!value || secrets.length === 0) return undefined;
  const v = verifyCookie(value, secrets);
  return v && !v.stale ? v.uid : undefined;
}

/** `udn_id=<value>` alone, the header a browser with an id sends us: the whole cookie parse is not needed. */
const ID_ONLY = new RegExp(`^${ID_COOKIE}=([A-Za-z0-9_.-]{1,100})$`);

/** The id cookie's value (undefined: none), or null when the browser opted out. */
function idCookie(header: string): string | null | undefined {
  const only = ID_ONLY.exec(header);
  if (only) return only[1];
  const cookies = parseCookies(header);
  return cookies[OPTOUT_COOKIE] === "1" ? null : cookies[ID_COOKIE];
}

/** The uid of a server-to-server lookup whose bearer key this isolate has accepted before. */
function serverUid(env: Env, path: string, seen: Seen): string | undefined {
  const uid = path.slice(S2S_PREFIX.length, -S2S_SUFFIX.length);
  // Percent-encoded or malformed ids are the app's to decode or refuse.
  if (!ANY_UID_PATTERN.test(uid)) return undefined;
  const token = bearerToken(seen.authorization);
  return token && acceptedToken(token, apiKeys(env.API_KEYS)) ? uid : undefined;
}

function answer(to: Target, uid: string): Hot | Promise<Hot> {
  const l = lookupProfile(to.env, to.ctx, uid);
  // A miss that went wrong anyhow is the app's to answer, as anything else that goes wrong here.
  return l instanceof Promise ? l.then((r) => respond(to, r)).catch(() => undefined) : respond(to, l);
}

function respond(to: Target, l: Lookup): Response {
  const { env, format, origin } = to;
  const [body, type] = lookupBody(env, l, format, to.callback);
  const build = () => ({ ...(origin === null ? {} : corsHeaders(origin, env)), ...lookupHeaders(l, format, type) });
  let headers: Headers | Record<string, string>;
  if (l.outcome === "miss") {
    // Its Server-Timing carries the KV wait, and it may be degraded: built for this answer.
    headers = build();
  } else {
    // Browser answers carry CORS; origins outside the list all get the same set, so the sets stay few.
    const allowed = origin && originAllowed(origin, env) ? origin : "";
    const key = `${origin === null}\n${format}\n${l.outcome}\n${allowed}`;
    let set = headerSets.get(key);
    if (!set) headerSets.set(key, (set = new Headers(build())));
    headers = set;
  }
  const route = origin === null ? S2S_ROUTE : "/v1/segments";
  recordRequestMetric(env, to.req, () => route, l.outcome, l.degraded ?? "", Date.now() - to.started, 200);
  return new Response(body, { headers });
}
