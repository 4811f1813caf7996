/** Lookups: /healthz, the browser's /v1/segments in every format, and the bidders' routes. */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import { signUid } from "../../worker/identity/signed-ids";
import { call, cookieFrom, S2S } from "../support/helpers";

const UID = "AAAAAAAAAAAAAAAAAAAAAA";
const ORIGIN = "http://localhost:8080";

async function idCookie(uid = UID, secret = env.UID_SECRET): Promise<string> {
  return `udn_id=${await signUid(uid, secret)}`;
}

beforeEach(async () => {
  await env.PROFILES.put(
    `u:${UID}`,
    encodeProfile({ ts: 1700000000000, segments: [{ id: "806", taxonomy: 4 }, { id: "607", taxonomy: 4 }, { id: "udn-engaged" }] }),
  );
});

describe("GET /healthz and unknown routes", () => {
  it("answers ok", async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });
  it("answers a JSON 404 naming the route", async () => {
    const res = await call("/v2/nothing");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no route for GET /v2/nothing" });
  });
});

describe("GET /v1/segments", () => {
  it("answers a known browser in every format", async () => {
    const headers = { Cookie: await idCookie() };
    const json = await call("/v1/segments", { headers });
    expect(json.headers.get("Cache-Control")).toBe("private, no-store");
    expect(await json.json()).toEqual({ segments: ["806", "607", "udn-engaged"], ts: 1700000000000 });
    expect(await (await call("/v1/segments?format=ortb2", { headers })).json()).toEqual({
      user: {
        data: [
          { name: "udn.example", ext: { segtax: 4 }, segment: [{ id: "806" }, { id: "607" }] },
          { name: "udn.example", segment: [{ id: "udn-engaged" }] },
        ],
        eids: [{ source: "udn.example", uids: [{ id: UID, atype: 1 }] }],
      },
    });
    expect(await (await call("/v1/segments?format=gpt", { headers })).json()).toEqual({ udn: ["806", "607", "udn-engaged"] });
    expect(await (await call("/v1/segments?format=page", { headers })).json()).toEqual({
      segments: ["806", "607", "udn-engaged"],
      ts: 1700000000000,
      user: {
        data: [
          { name: "udn.example", ext: { segtax: 4 }, segment: [{ id: "806" }, { id: "607" }] },
          { name: "udn.example", segment: [{ id: "udn-engaged" }] },
        ],
        eids: [{ source: "udn.example", uids: [{ id: UID, atype: 1 }] }],
      },
      gpt: { udn: ["806", "607", "udn-engaged"] },
    });
    const js = await call("/v1/segments?format=js&callback=window.udnCb", { headers });
    expect(js.headers.get("Content-Type")).toContain("application/javascript");
    expect(await js.text()).toBe('window.udnCb({"segments":["806","607","udn-engaged"],"ts":1700000000000});');
  });

  it("gives a browser without a cookie a signed id with the contract's attributes", async () => {
    const res = await call("/v1/segments");
    expect(await res.json()).toEqual({ segments: [], ts: 0 });
    const set = res.headers.getSetCookie()[0]!;
    expect(set).toMatch(/^udn_id=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43};/);
    for (const attr of ["Path=/", "Max-Age=34560000", "SameSite=None", "Secure", "HttpOnly", "Partitioned"]) expect(set).toContain(attr);
    // The minted cookie is accepted as is on the next call.
    const again = await call("/v1/segments", { headers: { Cookie: cookieFrom(res, "udn_id")! } });
    expect(again.headers.get("Set-Cookie")).toBeNull();
  });

  it("replaces a forged, garbled or foreign cookie", async () => {
    const forged = `${(await idCookie()).slice(0, -2)}AA`;
    for (const cookie of [forged, "udn_id=garbage", await idCookie(UID, "someone-elses-secret")]) {
      const res = await call("/v1/segments", { headers: { Cookie: cookie } });
      expect(await res.json()).toEqual({ segments: [], ts: 0 });
      expect(cookieFrom(res, "udn_id")).toBeDefined();
      expect(cookieFrom(res, "udn_id")).not.toContain(UID);
    }
  });

  it("answers an opted-out browser with nothing and sets no cookie", async () => {
    const res = await call("/v1/segments", { headers: { Cookie: `udn_optout=1; ${await idCookie()}` } });
    expect(await res.json()).toEqual({ segments: [], ts: 0 });
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("rejects an unknown format and an unsafe callback with JSON errors", async () => {
    const f = await call("/v1/segments?format=xml");
    expect(f.status).toBe(400);
    expect(await f.json()).toEqual({ error: 'format must be one of json, ortb2, gpt, js, page; got "xml"' });
    for (const cb of ["", "alert(1)", "a..b", "1abc", "a.b.c.d.e.f.g", "x".repeat(70)]) {
      const res = await call(`/v1/segments?format=js&callback=${encodeURIComponent(cb)}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain("callback");
    }
  });

  it("allows credentialed CORS for listed origins only", async () => {
    const ok = await call("/v1/segments", { headers: { Origin: ORIGIN } });
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(ORIGIN);
    expect(ok.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(ok.headers.get("Vary")).toContain("Origin");
    for (const origin of ["https://evil.example", "null"]) {
      const res = await call("/v1/segments", { headers: { Origin: origin } });
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(res.headers.get("Vary")).toContain("Origin");
    }
    const pre = await call("/v1/events", {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("Access-Control-Allow-Origin")).toBe(ORIGIN);
    expect(pre.headers.get("Access-Control-Allow-Methods")).toContain("POST");
  });
});

describe("server-to-server lookups", () => {
  it("needs a valid API key: 401 without, 403 with a wrong one", async () => {
    const none = await call(`/v1/users/${UID}/segments`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: "missing Authorization: Bearer <key>" });
    const wrong = await call(`/v1/users/${UID}/segments`, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    const lookup = await call("/v1/lookup", { method: "POST", body: "{}", headers: { Authorization: "Bearer nope" } });
    expect(lookup.status).toBe(403);
  });

  it("answers a user by uid in every format", async () => {
    const res = await call(`/v1/users/${UID}/segments?format=gpt`, { headers: S2S });
    expect(await res.json()).toEqual({ udn: ["806", "607", "udn-engaged"] });
    const unknown = await call("/v1/users/nobody/segments", { headers: S2S });
    expect(await unknown.json()).toEqual({ segments: [], ts: 0 });
    const bad = await call("/v1/users/%3Cscript%3E/segments", { headers: S2S });
    expect(bad.status).toBe(400);
  });

  it("looks up many uids in one call", async () => {
    const res = await call("/v1/lookup", { method: "POST", headers: S2S, body: JSON.stringify({ uids: [UID, "nobody", UID] }) });
    expect(await res.json()).toEqual({ results: { [UID]: ["806", "607", "udn-engaged"], nobody: [] } });
  });

  it("rejects malformed lookups with errors naming the problem", async () => {
    const cases: [string, number, string][] = [
      ["not json", 400, "body is not valid JSON"],
      ['{"ids":[]}', 400, 'body must be {"uids":[…]}'],
      [JSON.stringify({ uids: Array.from({ length: 101 }, (_, i) => `u${i}`) }), 413, "uids has 101 entries; at most 100"],
      [JSON.stringify({ uids: ["ok", 5] }), 400, "uids[1] must match"],
    ];
    for (const [body, status, error] of cases) {
      const res = await call("/v1/lookup", { method: "POST", headers: S2S, body });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toContain(error);
    }
  });
});
