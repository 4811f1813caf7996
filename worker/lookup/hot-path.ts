/**
 * The hot path: lookups answered from memory, and /healthz, without the router. Nearly every request is a lookup of a
 * cached profile, by a browser whose cookie this isolate has checked before or by a bidder whose key it has accepted
 * before; the router's context, middleware chain and awaits cost more than that answer itself (docs/benchmarks.md has
 * the measure). It decides nothing of its own: it calls the very functions the app's middleware and routes call
 * (limits, metrics, CORS, the embedding page, browser resolution, bearer acceptance, format, page segments, lookup, answer), and whenever the answer is
 * not a plain 200 from memory it declines (undefined) and the app answers. test/lookup/hot-path.test.ts compares the
 * two and fails when the app gains a middleware on these routes that this path does not run.
 */
import type { ConsentSignals } from "../../domain/consent/signals";
import type { Eid } from "../../domain/identity/eids";
import { ANY_UID_PATTERN } from "../../domain/ids";
import type { SegmentRef } from "../../domain/profile-record";
import type { Format } from "../../domain/segment-formats";
import { knownBearer } from "../http/bearer-auth";
import { corsHeaders, originAllowed } from "../http/cors";
import { embeddingPageAllowed } from "../http/embedding-page";
import { limitError } from "../http/request-limits";
import { recordRequestMetric } from "../http/request-metrics";
import { resolveBrowser } from "../identity/resolve-browser";
import { answerHeaders } from "../isolate";
import { s2sKeys } from "../settings";
import { lookupBody, lookupFormat, lookupHeaders } from "./answer";
import { lookupEids, wantsEids } from "./eids";
import { pageQuery, pageSegments } from "./page-segments";
import { PATHS } from "./paths";
import { type Lookup, lookupProfile } from "./profile-lookup";

const [S2S_PREFIX = "", S2S_SUFFIX = ""] = PATHS.s2s.split(":uid");

/** The headers the hot path reads, from its one pass over them. */
interface Seen {
  cookie?: string;
  origin?: string;
  secGpc?: string;
  authorization?: string;
  secFetchSite?: string;
  referer?: string;
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
  if (path !== PATHS.health && path !== PATHS.browser && !s2s) return undefined;
  // One pass over the headers, shared by the limits and the lookup: each call into the runtime costs.
  const seen: Seen = {};
  const see = (name: string, value: string) => {
    if (name === "cookie") seen.cookie = value;
    else if (name === "origin") seen.origin = value;
    else if (name === "sec-gpc") seen.secGpc = value;
    else if (name === "authorization") seen.authorization = value;
    else if (name === "sec-fetch-site") seen.secFetchSite = value;
    else if (name === "referer") seen.referer = value;
  };
  if (limitError(url, req.headers, see)) return undefined;
  try {
    if (path === PATHS.health) {
      recordRequestMetric(env, req, () => path, "none", "", 0, 200);
      // As the app's `c.text("ok")`: the runtime's own text/plain content type.
      return new Response("ok");
    }
    const { format, callback } = lookupFormat(url);
    const page = pageQuery(url);
    // A script tag's page must be listed: the app answers the refusal.
    if (!s2s && format === "js" && !embeddingPageAllowed(env, seen.secFetchSite, seen.referer)) return undefined;
    const who = s2s ? serverUid(env, path, seen) : browserUid(env, url, seen);
    if (who === undefined) return undefined;
    const started = Date.now();
    const to = (context: readonly SegmentRef[]): Target => ({
      req,
      env,
      ctx,
      format,
      callback,
      context,
      origin: s2s ? null : seen.origin,
      started,
      eids: wantsEids(format, url, !s2s),
    });
    const context = pageSegments(env, ctx, req, page, !s2s);
    // A page this isolate has not answered yet waits for the page map (and, the first time, the rules), as a profile miss waits for KV.
    if (context instanceof Promise) return context.then((c) => answer(to(c), who)).catch(() => undefined);
    return answer(to(context), who);
  } catch {
    // Whatever went wrong, the app meets it too and answers it properly.
    return undefined;
  }
}

/** Where and how an answer goes. `origin`: the browser's Origin header (undefined: none); null for a bidder. */
interface Target {
  req: Request;
  env: Env;
  ctx: ExecutionContext;
  format: Format;
  callback: string | undefined;
  /** The page's segments. */
  context: readonly SegmentRef[];
  origin: string | null | undefined;
  started: number;
  /** The answer carries the user's ids. */
  eids: boolean;
}

/** Whom a lookup is for: the uid, and a browser's consent signals (a bidder's lookup has none). */
interface Who {
  uid: string;
  signals?: ConsentSignals;
}

/** The browser's uid when it is known under the current secret; anything else (a new id, one to re-sign, no consent) is the app's. */
function browserUid(env: Env, url: string, seen: Seen): Who | undefined {
  const b = resolveBrowser(env, url, seen.cookie, seen.secGpc);
  return b.kind === "known" && !b.stale ? { uid: b.uid, signals: b.signals } : undefined;
}

/** The uid of a server-to-server lookup whose bearer key this isolate has accepted before. */
function serverUid(env: Env, path: string, seen: Seen): Who | undefined {
  const uid = path.slice(S2S_PREFIX.length, -S2S_SUFFIX.length);
  // Percent-encoded or malformed ids are the app's to decode or refuse.
  if (!ANY_UID_PATTERN.test(uid)) return undefined;
  return knownBearer(seen.authorization, s2sKeys(env)).accepted ? { uid } : undefined;
}

function answer(to: Target, who: Who): Hot | Promise<Hot> {
  const l = lookupProfile(to.env, to.ctx, who.uid, to.req.url);
  const withIds = (r: Lookup): Hot | Promise<Hot> => {
    if (!to.eids) return respond(to, r);
    const eids = lookupEids(to.env, to.ctx, who.uid, r.profile, who.signals);
    return eids instanceof Promise ? eids.then((e) => respond(to, r, e)) : respond(to, r, eids);
  };
  // A miss that went wrong anyhow is the app's to answer, as anything else that goes wrong here.
  return l instanceof Promise ? l.then(withIds).catch(() => undefined) : withIds(l);
}

function respond(to: Target, l: Lookup, eids: readonly Eid[] = []): Response {
  const { env, format, origin } = to;
  const [body, type] = lookupBody(env, l, format, to.callback, to.context, eids);
  const build = () => ({ ...(origin === null ? {} : corsHeaders(origin, env)), ...lookupHeaders(l, format, type) });
  let headers: Headers | Record<string, string>;
  if (l.outcome === "miss") {
    // Its Server-Timing carries the KV wait, and it may be degraded: built for this answer.
    headers = build();
  } else {
    // Handing the runtime a ready Headers object costs less than a record it must read key by key. Browser answers
    // carry CORS; origins outside the list all get the same set, so the sets stay few.
    const allowed = origin && originAllowed(origin, env) ? origin : "";
    const key = `${origin === null}\n${format}\n${l.outcome}\n${allowed}`;
    let set = answerHeaders.get(key);
    if (!set) answerHeaders.set(key, (set = new Headers(build())));
    headers = set;
  }
  const route = origin === null ? PATHS.s2s : PATHS.browser;
  recordRequestMetric(env, to.req, () => route, l.outcome, l.degraded ?? "", Date.now() - to.started, 200);
  return new Response(body, { headers });
}
