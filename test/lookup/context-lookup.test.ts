/** Page (contextual) segments through the Worker: rules from the admin API, every format, any consent, no storage. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import { isolateStats } from "../../worker/admin/isolate-stats";
import { signUid } from "../../worker/identity/signed-ids";
import { ADMIN, call, S2S } from "../support/helpers";

const RULES = {
  version: 1,
  rules: [
    { id: "533", taxonomy: 9, name: "Sports | Soccer", when: { host: ["*.news.example"], pathPrefix: ["/foot/"] } },
    { id: "483", taxonomy: 9, name: "Sports", when: { section: ["sport"] } },
    { id: "286", taxonomy: 9, name: "Medical Health", when: { keywords: ["diabetes"] } },
    { id: "fr-mobile", name: "France on a phone", when: { country: ["FR"], device: ["mobile"] } },
  ],
};
const PAGE = encodeURIComponent("https://www.news.example/foot/psg?utm_source=x#top");
const USER = "ContextKnownUser000000";
let cookie = "";

function putContext(doc: unknown): Promise<Response> {
  return call("/v1/admin/context", { method: "PUT", headers: ADMIN, body: JSON.stringify(doc) });
}

/** The browser's own id, as every ortb2 answer of a known browser carries it. */
const ownEid = [{ source: "udn.example", uids: [{ id: USER, atype: 1 }] }];

beforeAll(async () => {
  expect((await putContext(RULES)).status).toBe(200);
  await env.PROFILES.put(`u:${USER}`, encodeProfile({ ts: 1700000000000, segments: [{ id: "806", taxonomy: 4 }] }));
  cookie = `udn_id=${await signUid(USER, env.UID_SECRET)}`;
});

describe("page segments in lookups", () => {
  it("puts the page's segments beside the user's in every format", async () => {
    const q = `url=${PAGE}&section=Sport`;
    const get = async (format: string) => (await call(`/v1/segments?format=${format}&${q}`, { headers: { Cookie: cookie } })).json();
    expect(await get("json")).toEqual({ segments: ["806"], ts: 1700000000000, context: ["533", "483"] });
    expect(await get("ortb2")).toEqual({
      user: { data: [{ name: "udn.example", ext: { segtax: 4 }, segment: [{ id: "806" }] }], eids: ownEid },
      site: { content: { data: [{ name: "udn.example", ext: { segtax: 9 }, segment: [{ id: "533" }, { id: "483" }] }] } },
    });
    expect(await get("gpt")).toEqual({ udn: ["806"], udn_ctx: ["533", "483"] });
    const page = (await get("page")) as Record<string, unknown>;
    expect(page.context).toEqual(["533", "483"]);
    expect(page.site).toBeDefined();
    expect(page.gpt).toEqual({ udn: ["806"], udn_ctx: ["533", "483"] });
  });

  it("computes a page's segments once, then answers them from the isolate's cache", async () => {
    const path = `/v1/segments?url=${encodeURIComponent("https://cache.news.example/foot/x")}`;
    const before = isolateStats().contextCache;
    await call(path, { headers: { Cookie: cookie } });
    await call(path, { headers: { Cookie: cookie } });
    const after = isolateStats().contextCache;
    expect({ misses: after.misses - before.misses, hits: after.hits - before.hits }).toEqual({ misses: 1, hits: 1 });
    expect(after.hits - before.hits).toBe(1);
    expect(after.maxBytes).toBe(32 * 1024 * 1024);
  });

  it("keeps the old form when the page earns nothing", async () => {
    const res = await call("/v1/segments?url=https%3A%2F%2Fother.example%2F", { headers: { Cookie: cookie } });
    expect(await res.json()).toEqual({ segments: ["806"], ts: 1700000000000 });
    expect(await (await call("/v1/segments?format=ortb2", { headers: { Cookie: cookie } })).json()).toEqual({
      user: { data: [{ name: "udn.example", ext: { segtax: 4 }, segment: [{ id: "806" }] }], eids: ownEid },
    });
  });

  it("reads the page from the Referer when the tag sends no url", async () => {
    const res = await call("/v1/segments", { headers: { Cookie: cookie, Referer: "https://m.news.example/foot/ol" } });
    expect(((await res.json()) as { context?: string[] }).context).toEqual(["533"]);
  });

  it("reads country from request.cf and the device class from client hints", async () => {
    const headers = { Cookie: cookie, "Sec-CH-UA-Mobile": "?1" };
    const fr = await call("/v1/segments", { headers, cf: { country: "FR" } } as RequestInit);
    expect(((await fr.json()) as { context?: string[] }).context).toEqual(["fr-mobile"]);
    const de = await call("/v1/segments", { headers, cf: { country: "DE" } } as RequestInit);
    expect(((await de.json()) as { context?: string[] }).context).toBeUndefined();
  });

  it("gives a browser without consent, or opted out, the page's segments and nothing else: no cookie, no user", async () => {
    for (const [query, headers] of [
      ["&gdpr=1", { Cookie: cookie }],
      ["", { Cookie: `udn_optout=1; ${cookie}` }],
      ["", { Cookie: cookie, "Sec-GPC": "1" }],
      ["&gdpr=1", {}],
    ] as const) {
      const res = await call(`/v1/segments?format=ortb2&url=${PAGE}${query}`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(await res.json()).toEqual({
        user: { data: [] },
        site: { content: { data: [{ name: "udn.example", ext: { segtax: 9 }, segment: [{ id: "533" }] }] } },
      });
    }
  });

  it("gives a new browser its page's segments with its new id", async () => {
    const res = await call(`/v1/segments?format=gpt&url=${PAGE}`);
    expect(res.headers.get("Server-Timing")).toBe("cache;desc=new");
    expect(await res.json()).toEqual({ udn: [], udn_ctx: ["533"] });
  });

  it("answers a bidder's lookup for the page it names, and ignores its Referer", async () => {
    const res = await call(`/v1/users/${USER}/segments?format=ortb2&url=${PAGE}&section=sport`, {
      headers: { ...S2S, Referer: "https://m.news.example/other" },
    });
    expect(((await res.json()) as { site: unknown }).site).toEqual({
      content: { data: [{ name: "udn.example", ext: { segtax: 9 }, segment: [{ id: "533" }, { id: "483" }] }] },
    });
    const byReferer = await call(`/v1/users/${USER}/segments`, { headers: { ...S2S, Referer: "https://m.news.example/foot/x" } });
    expect(await byReferer.json()).toEqual({ segments: ["806"], ts: 1700000000000 });
  });

  it("puts the page's segments in the events answer too, identified or not", async () => {
    const body = JSON.stringify({ events: [{ id: "ctx-e1", type: "view" }] });
    const other = `udn_id=${await signUid("ContextEventsUser00000", env.UID_SECRET)}`;
    for (const [query, headers] of [
      ["", { Cookie: other }],
      ["&gdpr=1", {}],
    ] as const) {
      const res = await call(`/v1/events?answer=profile&url=${PAGE}${query}`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "text/plain" },
        body,
      });
      expect(res.status).toBe(200);
      const { profile } = (await res.json()) as { profile: { context?: string[]; gpt: unknown } };
      expect(profile.context).toEqual(["533"]);
      expect((profile.gpt as Record<string, unknown>).udn_ctx).toEqual(["533"]);
    }
    const bad = await call("/v1/events?answer=profile&url=ftp%3A%2F%2Fx", {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "text/plain" },
      body,
    });
    expect(bad.status).toBe(400);
  });

  it("refuses a url parameter that is not a page address", async () => {
    for (const bad of ["javascript%3Aalert(1)", "%2Frelative", `https%3A%2F%2Fa.example%2F${"x".repeat(2100)}`]) {
      const res = await call(`/v1/segments?url=${bad}`, { headers: { Cookie: cookie } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "url must be an absolute http or https URL of at most 2048 characters" });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it("describes a page by a special category but never stores it on the user's profile", async () => {
    const res = await call("/v1/segments?keywords=Diabetes,insulin", { headers: { Cookie: cookie } });
    expect(await res.json()).toEqual({ segments: ["806"], ts: 1700000000000, context: ["286"] });
    expect(await env.PROFILES.get(`u:${USER}`)).toBe("1|1700000000000|4:806");
    // A batch naming it for a user drops it, and keeps the rest.
    const uid = "ContextBatchUser000000";
    const r = await env.USER_PROFILE.getByName(uid).applyBatch(uid, {
      version: 1,
      segments: ["286", "533"],
      ttlMs: 86_400_000,
      taxonomy: 9,
    });
    expect(r.profile.segments).toEqual([{ id: "533", taxonomy: 9 }]);
    // The record's third field lists its segments (the second, a timestamp, may hold any digits).
    expect((await env.PROFILES.get(`u:${uid}`))?.split("|")[2]).toBe("9:533");
  });

  it("uses a new rules version at once, without a deploy", async () => {
    expect((await putContext({ version: 2, rules: [{ id: "own-sport", name: "Sport", when: { section: ["sport"] } }] })).status).toBe(200);
    const res = await call("/v1/segments?format=ortb2&section=sport", { headers: { Cookie: cookie } });
    expect(((await res.json()) as { site: unknown }).site).toEqual({
      content: { data: [{ name: "udn.example", segment: [{ id: "own-sport" }] }] },
    });
    expect((await putContext(RULES)).status).toBe(409);
    expect((await putContext({ ...RULES, version: 3 })).status).toBe(200);
  });
});

describe("admin context rules", () => {
  it("needs the admin token", async () => {
    expect((await call("/v1/admin/context")).status).toBe(401);
    expect((await call("/v1/admin/context", { method: "PUT", headers: S2S, body: "{}" })).status).toBe(403);
  });

  it("returns the stored document", async () => {
    const doc = (await (await call("/v1/admin/context", { headers: ADMIN })).json()) as { version: number; rules: unknown[] };
    expect(doc.version).toBeGreaterThanOrEqual(1);
    expect(doc.rules.length).toBeGreaterThan(0);
  });

  it("refuses invalid documents with an error naming the field, changing nothing", async () => {
    const before = await (await call("/v1/admin/context", { headers: ADMIN })).text();
    const cases: [string, string][] = [
      ["{", "document is not valid JSON"],
      ["[]", "document must be a JSON object"],
      ['{"version":99,"rules":[{"id":"1","name":"n","when":{}}]}', "rules[0].when must have at least one of"],
      ['{"version":99,"rules":[{"id":"1","name":"n","when":{"host":["A B"]}}]}', "rules[0].when.host[0] must be a host name"],
      ['{"version":99,"rules":[{"id":"1","name":"n","when":{"country":["france"]}}]}', "rules[0].when.country[0] must be an ISO 3166-1"],
    ];
    for (const [body, error] of cases) {
      const res = await call("/v1/admin/context", { method: "PUT", headers: ADMIN, body });
      expect(res.status, body).toBe(400);
      expect(res.headers.get("Content-Type")).toContain("application/json");
      expect(((await res.json()) as { error: string }).error).toContain(error);
    }
    expect(await (await call("/v1/admin/context", { headers: ADMIN })).text()).toBe(before);
  });
});
