/** The hot path against the app: the same answer to the same request, and no middleware of the app's left out. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import { forgetContextRules } from "../../platform/context-store";
import { isolateStats } from "../../worker/admin/isolate-stats";
import { app } from "../../worker/app";
import { s2sAuth } from "../../worker/http/bearer-auth";
import { cors } from "../../worker/http/cors";
import { requestLimits } from "../../worker/http/request-limits";
import { requestMetrics } from "../../worker/http/request-metrics";
import { browserId } from "../../worker/identity/browser-id";
import { signUid } from "../../worker/identity/signed-ids";
import { clock, contextCache, profileCache } from "../../worker/isolate";
import { hotFetch } from "../../worker/lookup/hot-path";
import { PATHS } from "../../worker/lookup/paths";
import { scriptPage } from "../../worker/lookup/routes";
import { tcString } from "../support/consent-strings";
import { ADMIN, BASE, call, callWith, S2S } from "../support/helpers";

const KNOWN = "HotPathKnownUser000000";
const UNKNOWN = "HotPathUnknownUser0000";
const NOT_CACHED = "HotPathNotCachedUser00";
const FRESH = "HotPathFreshCookie0000";
const PREVIOUS_SECRET = "previous-secret-0123456789abcdef";
const withPrevious = { ...env, UID_SECRET_PREVIOUS: PREVIOUS_SECRET };
const cookies: Record<string, string> = {};

/** Everything an answer says: status, every header (sorted by the Headers class), body; KV's wait is timing, not content. */
async function snapshot(res: Response) {
  const headers = [...res.headers].map(([n, v]) => [n, v.replace(/kv;dur=\d+/, "kv;dur=N")]);
  return { status: res.status, headers, body: await res.text() };
}

/** The hot path's answer and the app's to the same request, each from the same cache state. */
async function both(url: string, init: RequestInit, e: Env = env, uncached = [NOT_CACHED, FRESH]) {
  const ctx = createExecutionContext();
  const absent = uncached.filter((uid) => profileCache.fallback(uid) === undefined);
  const hot = await hotFetch(new Request(url, init), e, ctx);
  // A miss the hot path read from KV is a miss for the app too.
  for (const uid of absent) profileCache.delete(uid);
  const full = await app.fetch(new Request(url, init), e, ctx);
  await waitOnExecutionContext(ctx);
  return { hot: hot && (await snapshot(hot)), full: await snapshot(full) };
}

beforeAll(async () => {
  await env.PROFILES.put(`u:${KNOWN}`, encodeProfile({ ts: 1700000000000, segments: [{ id: "806", taxonomy: 4 }, { id: "udn-engaged" }] }));
  await env.PROFILES.put(`u:${NOT_CACHED}`, encodeProfile({ ts: 1, segments: [{ id: "607", taxonomy: 4 }] }));
  for (const uid of [KNOWN, UNKNOWN, NOT_CACHED]) cookies[uid] = `udn_id=${await signUid(uid, env.UID_SECRET)}`;
  cookies.stale = `udn_id=${await signUid(KNOWN, PREVIOUS_SECRET)}`;
  // The app's path checks each cookie once and caches both profiles (the unknown one as a negative).
  for (const uid of [KNOWN, UNKNOWN]) await call("/v1/segments", { headers: { Cookie: cookies[uid]! } });
  // And accepts the bidders' key once.
  await call(`/v1/users/${KNOWN}/segments`, { headers: S2S });
  const context = {
    version: 1,
    rules: [
      { id: "533", taxonomy: 9, name: "Soccer", when: { pathPrefix: ["/foot/"] } },
      { id: "sport", name: "Sport", when: { section: ["sport"] } },
    ],
  };
  await call("/v1/admin/context", { method: "PUT", headers: ADMIN, body: JSON.stringify(context) });
});

afterEach(() => {
  clock.now = () => Date.now();
});

describe("hot path", () => {
  it("answers a returning browser's cached lookup exactly as the app does, in every format", async () => {
    for (const query of ["", "?format=json", "?format=ortb2", "?format=gpt", "?format=page", "?format=js&callback=window.udn.cb"]) {
      for (const uid of [KNOWN, UNKNOWN]) {
        const { hot, full } = await both(`${BASE}/v1/segments${query}`, {
          headers: { Cookie: cookies[uid]!, Origin: "http://localhost:8080" },
        });
        expect(hot, `${uid}${query}`).toBeDefined();
        expect(hot).toEqual(full);
      }
    }
    const { hot, full } = await both(`${BASE}/healthz`, {});
    expect(hot).toEqual(full);
  });

  it("answers with the page's segments exactly as the app does, waiting for the rules and the page map when it must", async () => {
    const page = `url=${encodeURIComponent("https://news.example/foot/psg?utm_source=x")}&section=Sport`;
    for (const query of ["", "format=ortb2", "format=gpt", "format=page", "format=js&callback=cb"]) {
      for (const path of ["/v1/segments", `/v1/users/${KNOWN}/segments`]) {
        const headers = path === "/v1/segments" ? { Cookie: cookies[KNOWN]!, Referer: "http://localhost:8080/foot/ol" } : S2S;
        for (const q of [page, "section=sport", ""]) {
          const { hot, full } = await both(`${BASE}${path}?${query}&${q}`, { headers });
          expect(hot, `${path}?${query}&${q}`).toBeDefined();
          expect(hot).toEqual(full);
        }
      }
    }
    const { hot } = await both(`${BASE}/v1/segments?format=gpt&${page}`, { headers: { Cookie: cookies[KNOWN]! } });
    expect(JSON.parse(hot!.body)).toEqual({ udn: ["806", "udn-engaged"], udn_ctx: ["533", "sport"] });
    forgetContextRules();
    contextCache.clear();
    const first = await both(`${BASE}/v1/segments?${page}`, { headers: { Cookie: cookies[KNOWN]! } });
    expect(first.hot).toBeDefined();
    expect(first.hot).toEqual(first.full);
  });

  it("answers a bidder's cached lookup exactly as the app does", async () => {
    for (const query of ["", "?format=ortb2", "?format=gpt", "?format=page", "?format=js&callback=cb"]) {
      for (const uid of [KNOWN, UNKNOWN]) {
        const { hot, full } = await both(`${BASE}/v1/users/${uid}/segments${query}`, {
          headers: { ...S2S, Origin: "http://localhost:8080" },
        });
        expect(hot, `${uid}${query}`).toBeDefined();
        expect(hot).toEqual(full);
      }
    }
  });

  it("reads a miss from KV and checks a cookie it has not seen, as the app does", async () => {
    const fresh = `udn_id=${await signUid(FRESH, env.UID_SECRET)}`;
    for (const [path, headers] of [
      ["/v1/segments?format=ortb2", { Cookie: cookies[NOT_CACHED]!, Origin: "http://localhost:8080" }],
      ["/v1/segments", { Cookie: fresh }],
      [`/v1/users/${NOT_CACHED}/segments`, S2S],
    ] as const) {
      const { hot, full } = await both(BASE + path, { headers });
      expect(hot?.headers, path).toContainEqual(["server-timing", "cache;desc=miss, kv;dur=N"]);
      expect(hot).toEqual(full);
      profileCache.delete(NOT_CACHED);
    }
  });

  it("answers a cookie it has never seen, of a cached user, without awaiting anything", async () => {
    // A second signature of KNOWN's id would be the same value: another cached user's cookie, checked here first.
    const uid = "HotPathSyncCheckUser00";
    profileCache.set(uid, { ts: 1, segments: [{ id: "607", taxonomy: 4 }] }, Date.now());
    const cookie = `udn_id=${await signUid(uid, env.UID_SECRET)}`;
    const res = hotFetch(new Request(`${BASE}/v1/segments?format=gpt`, { headers: { Cookie: cookie } }), env, createExecutionContext());
    expect(res).toBeInstanceOf(Response);
    expect(await (res as Response).json()).toEqual({ udn: ["607"] });
    const forgedValue = `${cookie.slice(0, -2)}${cookie.endsWith("AA") ? "QA" : "AA"}`;
    const forged = hotFetch(new Request(`${BASE}/v1/segments`, { headers: { Cookie: forgedValue } }), env, createExecutionContext());
    expect(forged).toBeUndefined();
  });

  it("serves a stale entry as the app would, and starts one refresh", async () => {
    clock.now = () => Date.now() + 20_000;
    const { hot, full } = await both(`${BASE}/v1/segments`, { headers: { Cookie: cookies[KNOWN]! } });
    expect(hot?.headers).toContainEqual(["server-timing", "cache;desc=stale"]);
    expect(hot).toEqual(full);
  });

  it("answers a browser it may not identify (opted out, no consent) with the page's segments alone, as the app does", async () => {
    const page = `url=${encodeURIComponent("https://news.example/foot/psg")}`;
    const cases: [string, Record<string, string>][] = [
      [`/v1/segments?format=ortb2&${page}`, { Cookie: `udn_optout=1; ${cookies[KNOWN]}`, Origin: "http://localhost:8080" }],
      [`/v1/segments?format=page&${page}`, { Cookie: cookies[KNOWN]!, "Sec-GPC": "1" }],
      [`/v1/segments?gdpr=1&${page}`, { Origin: "http://localhost:8080" }],
      ["/v1/segments?%67dpr=1", { Cookie: cookies[KNOWN]! }], // gdpr=1, percent-encoded
      ["/v1/segments?format=gpt&gdpr=1", {}],
    ];
    for (const [path, headers] of cases) {
      const { hot, full } = await both(BASE + path, { headers });
      expect(hot, path).toBeDefined();
      expect(hot).toEqual(full);
      expect(
        hot!.headers.some(([n]) => n === "set-cookie"),
        path,
      ).toBe(false);
    }
    const denied = await both(`${BASE}/v1/segments?format=ortb2&gdpr=1&${page}`, {});
    expect(denied.hot!.headers).toContainEqual(["x-udn-consent", "denied; gdpr=1 without gdpr_consent"]);
    expect(JSON.parse(denied.hot!.body)).toEqual({
      user: { data: [] },
      site: { content: { data: [{ name: "udn.example", ext: { segtax: 9 }, segment: [{ id: "533" }] }] } },
    });
  });

  it("leaves to the app whatever is not in memory or not ordinary", async () => {
    const declined: [string, RequestInit, Env?][] = [
      ["/v1/segments", {}], // a new browser: an id to mint and a cookie to set
      ["/v1/segments", { headers: { Cookie: "udn_id=HotPathForgedCookie00.AAAA" } }], // forged: the app mints a new id
      ["/v1/segments", { headers: { Cookie: cookies.stale! } }, withPrevious], // signed with the previous secret: re-sign, even when checked before
      ["/v1/segments?format=xml", { headers: { Cookie: cookies[KNOWN]! } }],
      ["/v1/segments?format=js&callback=alert(1)", { headers: { Cookie: cookies[KNOWN]! } }],
      ["/v1/segments", { method: "HEAD", headers: { Cookie: cookies[KNOWN]! } }],
      [`/v1/segments?pad=${"x".repeat(9000)}`, { headers: { Cookie: cookies[KNOWN]! } }],
      ["/v1/segments/", { headers: { Cookie: cookies[KNOWN]! } }],
      [`/v1/users/${KNOWN}/segments`, {}], // no key: 401
      [`/v1/users/${KNOWN}/segments`, { headers: { Authorization: "Bearer not-a-key" } }], // a key never accepted: hashed and refused by the app
      [`/v1/users/${KNOWN.slice(0, 5)}%41${KNOWN.slice(6)}/segments`, { headers: S2S }], // percent-encoded: the app decodes
      [`/v1/users/a/b/segments`, { headers: S2S }],
    ];
    for (const [path, init, e = env] of declined) {
      // Each refusal next to its control: the same isolate, secrets and cache answer a plain lookup hot.
      await callWith(e, "/v1/segments", { headers: { Cookie: cookies[KNOWN]! } });
      if (e === withPrevious) await callWith(e, path, init);
      expect((await both(`${BASE}/v1/segments`, { headers: { Cookie: cookies[KNOWN]! } }, e)).hot).toBeDefined();
      expect((await both(BASE + path, init, e)).hot, path).toBeUndefined();
      profileCache.delete(NOT_CACHED);
    }
  });

  it("counts a hot answer once, as the app counts its own", async () => {
    const before = isolateStats();
    const { hot } = await both(`${BASE}/v1/segments`, { headers: { Cookie: cookies[KNOWN]! } });
    expect(hot?.status).toBe(200);
    const after = isolateStats();
    // One request by each path.
    expect(after.requests - before.requests).toBe(2);
    expect(after.cache.hits - before.cache.hits).toBe(2);
    expect(after.cache.misses).toBe(before.cache.misses);
  });

  it("never answers differently from the app (property over mixed requests)", async () => {
    const consentOk = `gdpr=1&gdpr_consent=${tcString()}`;
    const consentNo = `gdpr=1&gdpr_consent=${tcString({ purposes: [] })}`;
    const query = fc.constantFrom(
      "",
      "format=json",
      "format=ortb2",
      "format=gpt",
      "format=js&callback=cb",
      "format=js",
      "format=bad",
      "format=gpt&x=%ZZ",
      "%67dpr=1",
      consentOk,
      consentNo,
      "us_privacy=1YYN",
      "us_privacy=1YNN",
      "gdpr=0",
      "section=sport&url=https%3A%2F%2Fnews.example%2Ffoot%2F",
      "url=javascript%3Ax",
    );
    const cookie = fc.constantFrom(
      undefined,
      cookies[KNOWN],
      cookies[UNKNOWN],
      cookies[NOT_CACHED],
      cookies.stale,
      "udn_id=garbage",
      `udn_optout=1; ${cookies[KNOWN]}`,
      `other=1; ${cookies[KNOWN]}; x="y"`,
      `${cookies[UNKNOWN]}; ${cookies[KNOWN]}`,
    );
    const origin = fc.constantFrom(undefined, "http://localhost:8080", "https://evil.example", "null");
    const path = fc.constantFrom(
      "/v1/segments",
      "/healthz",
      "/v1/segment",
      "/v1/segments/",
      `/v1/users/${KNOWN}/segments`,
      `/v1/users/${UNKNOWN}/segments`,
      `/v1/users/${NOT_CACHED}/segments`,
      "/v1/users/x%20y/segments",
    );
    const auth = fc.constantFrom(undefined, S2S.Authorization, "Bearer wrong", "Basic abc");
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(path, fc.array(query, { maxLength: 2 }), cookie, origin, fc.boolean(), auth, async (p, q, c, o, gpc, a) => {
        const headers: Record<string, string> = {};
        if (a) headers.Authorization = a;
        if (c) headers.Cookie = c;
        if (o) headers.Origin = o;
        if (gpc) headers["Sec-GPC"] = "1";
        const url = `${BASE}${p}${q.length ? `?${q.join("&")}` : ""}`;
        const { hot, full } = await both(url, { headers });
        if (hot) {
          answered++;
          expect(hot).toEqual(full);
        }
        // The miss's KV read must not turn later runs into hits: keep that user out of the cache.
        profileCache.delete(NOT_CACHED);
      }),
      { numRuns: 400, seed: 20261126 },
    );
    // The property is only worth something if the hot path answered a good share of the runs.
    expect(answered).toBeGreaterThan(30);
  });

  it("runs every middleware the app runs on the routes it answers (fails when the app gains one it skips)", () => {
    // A new middleware on these routes must be taught to the hot path (or the hot path must decline), then listed here.
    const known = new Map<unknown, string>([
      [requestMetrics, "requestMetrics"],
      [requestLimits, "requestLimits"],
      [cors, "cors"],
      [scriptPage, "scriptPage"],
      [browserId, "browserId"],
      [s2sAuth, "s2sAuth"],
    ]);
    const chain = (path: string) => {
      const handlers = app.router.match("GET", path)[0].map(([[handler]]) => handler as unknown);
      // The last is the route's own handler, which the hot path replaces by the same lookup and answer functions.
      return handlers.slice(0, -1).map((h) => known.get(h) ?? "a middleware the hot path does not run");
    };
    expect(chain(PATHS.health)).toEqual(["requestMetrics", "requestLimits"]);
    expect(chain(PATHS.browser)).toEqual(["requestMetrics", "requestLimits", "cors", "scriptPage", "browserId"]);
    expect(chain(`/v1/users/${KNOWN}/segments`)).toEqual(["requestMetrics", "requestLimits", "s2sAuth"]);
  });
});
