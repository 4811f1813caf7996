/** Cookie matching with partners: the sync round trip, lookups by a partner's id, eids, consent, redirects and bounds. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { tcString, VENDOR } from "../support/consent-strings";
import { ADMIN, call, callWith, postEvents, putSegments, S2S, view } from "../support/helpers";
import { browser, putPartners, SSP } from "../support/identity";

const ALLOW_BOTH = `gdpr=1&gdpr_consent=${tcString({ vendors: [VENDOR, SSP.gvlid] })}`;
const ALLOW_US_ONLY = `gdpr=1&gdpr_consent=${tcString({ vendors: [VENDOR] })}`;

beforeAll(async () => {
  expect((await putSegments()).status).toBe(200);
  expect((await putPartners()).status).toBe(200);
});

async function carViews(cookie: string, prefix: string): Promise<void> {
  const events = [1, 2, 3].map((i) => view(`${prefix}${i}`, { category: "auto", url: "/cars/suv" }));
  expect((await postEvents(cookie, events)).status).toBe(202);
}

/** The user's KV record once it carries `n` partner ids: the object publishes at most once a second, so a match lands within one. */
async function recordWith(uid: string, n: number): Promise<string> {
  let record = "";
  await vi.waitFor(
    async () => {
      record = (await env.PROFILES.get(`u:${uid}`)) ?? "";
      expect(record.split("|")[3]?.split(",") ?? []).toHaveLength(n);
    },
    { timeout: 5_000, interval: 100 },
  );
  return record;
}

async function aliases(): Promise<string[]> {
  return (await env.PROFILES.list({ prefix: "a:" })).keys.map((k) => k.name);
}

describe("partner id sync", () => {
  it("round trip: our id goes out, the partner's comes back, and a lookup by it returns the browser's segments", async () => {
    const cookie = await browser("SyncRoundTripUser00000");
    await carViews(cookie, "rt");
    const out = await call("/v1/sync?partner=ssp1", { headers: { Cookie: cookie } });
    expect(out.status).toBe(302);
    const partnerUrl = new URL(out.headers.get("Location")!);
    expect(partnerUrl.host).toBe("sync.ssp1.example");
    expect(partnerUrl.searchParams.get("udn")).toBe("SyncRoundTripUser00000");
    // The partner appends its own id to the match URL it was given, and sends the browser back.
    const back = partnerUrl.searchParams.get("back")!;
    expect(back).toBe("https://edge.test/v1/match?partner=ssp1&puid=");
    const match = await call(`${back.slice("https://edge.test".length)}PARTNER-ID-42`, { headers: { Cookie: cookie } });
    expect(match.status).toBe(200);
    expect(match.headers.get("Content-Type")).toBe("image/gif");
    expect(match.headers.get("X-Udn-Match")).toBe("stored");
    expect(await env.PROFILES.get("a:ssp1:PARTNER-ID-42")).toBe("SyncRoundTripUser00000");
    await recordWith("SyncRoundTripUser00000", 1);

    const mine = (await (await call("/v1/segments", { headers: { Cookie: cookie } })).json()) as { segments: string[] };
    expect(mine.segments).toContain("806");
    const byPartner = await call("/v1/partners/ssp1/users/PARTNER-ID-42/segments", { headers: S2S });
    expect(byPartner.status).toBe(200);
    expect(((await byPartner.json()) as { segments: string[] }).segments).toEqual(mine.segments);
    const many = await call("/v1/lookup", {
      method: "POST",
      headers: S2S,
      body: JSON.stringify({ partner: "ssp1", puids: ["PARTNER-ID-42", "never-matched"], eids: true }),
    });
    expect(await many.json()).toEqual({
      results: { "PARTNER-ID-42": mine.segments, "never-matched": [] },
      eids: {
        "PARTNER-ID-42": [
          { source: "udn.example", uids: [{ id: "SyncRoundTripUser00000", atype: 1 }] },
          { source: "ssp1.example", uids: [{ id: "PARTNER-ID-42", atype: 1 }], matcher: "udn.example", mm: 2 },
        ],
      },
    });
  });

  it("puts the partner's id in user.eids where the request's consent allows the partner, and not otherwise", async () => {
    const cookie = await browser("EidsConsentUser0000000");
    expect((await call("/v1/match?partner=ssp1&puid=eid-7", { headers: { Cookie: cookie } })).headers.get("X-Udn-Match")).toBe("stored");
    const ortb2 = async (q: string) =>
      ((await (await call(`/v1/segments?format=ortb2&${q}`, { headers: { Cookie: cookie } })).json()) as { user: { eids: unknown[] } }).user
        .eids;
    const own = { source: "udn.example", uids: [{ id: "EidsConsentUser0000000", atype: 1 }] };
    const theirs = { source: "ssp1.example", uids: [{ id: "eid-7", atype: 1 }], matcher: "udn.example", mm: 2 };
    expect(await ortb2(ALLOW_BOTH)).toEqual([own, theirs]);
    expect(await ortb2(ALLOW_US_ONLY)).toEqual([own]);
    const s2s = await call("/v1/users/EidsConsentUser0000000/segments?eids=1", { headers: S2S });
    expect(((await s2s.json()) as { eids: unknown[] }).eids).toEqual([own, theirs]);
    const plain = await call("/v1/users/EidsConsentUser0000000/segments", { headers: S2S });
    expect(await plain.json()).not.toHaveProperty("eids");
  });

  it("stores nothing and redirects nowhere when consent denies us or the partner", async () => {
    const cookie = await browser("DeniedSyncUser00000000");
    for (const [q, headers] of [
      [ALLOW_US_ONLY, {}],
      ["", { "Sec-GPC": "1" }],
    ] as const) {
      const match = await call(`/v1/match?partner=ssp1&puid=denied-1&redirect=https://sync.ssp1.example/next&${q}`, {
        headers: { Cookie: cookie, ...headers },
      });
      expect(match.status).toBe(200);
      expect(match.headers.get("Location")).toBeNull();
      expect(match.headers.get("X-Udn-Match")).toBe("denied");
      expect(match.headers.get("X-Udn-Consent")).toMatch(/^denied; /);
      const sync = await call(`/v1/sync?partner=ssp1&${q}`, { headers: { Cookie: cookie, ...headers } });
      expect(sync.status).toBe(200);
      expect(sync.headers.get("Location")).toBeNull();
      expect(sync.headers.get("X-Udn-Sync")).toBe("denied");
    }
    expect(await env.PROFILES.get("a:ssp1:denied-1")).toBeNull();
    const allowed = await call(`/v1/match?partner=ssp1&puid=denied-1&redirect=https://sync.ssp1.example/next&${ALLOW_BOTH}`, {
      headers: { Cookie: cookie },
    });
    expect(allowed.status).toBe(302);
    expect(allowed.headers.get("Location")).toBe("https://sync.ssp1.example/next");
  });

  it("never matches a browser without our cookie: nothing is minted, set or stored", async () => {
    const match = await call("/v1/match?partner=ssp1&puid=stranger");
    expect(match.headers.get("X-Udn-Match")).toBe("no-id");
    expect(match.headers.getSetCookie()).toEqual([]);
    const sync = await call("/v1/sync?partner=ssp1");
    expect(sync.headers.get("X-Udn-Sync")).toBe("no-id");
    expect(sync.headers.get("Location")).toBeNull();
    expect(await env.PROFILES.get("a:ssp1:stranger")).toBeNull();
  });

  it("refuses open redirects and bad input with a 4xx naming what is wrong, storing nothing", async () => {
    const cookie = await browser("BadInputSyncUser000000");
    const cases: [string, number, string][] = [
      ["/v1/match?partner=ssp1&puid=r1&redirect=https://evil.example/", 400, "redirect must be an https URL on one of partner ssp1's"],
      ["/v1/match?partner=ssp1&puid=r1&redirect=http://sync.ssp1.example/", 400, "redirect must be"],
      ["/v1/match?partner=ssp1&puid=r1&redirect=https://sync.ssp1.example@evil.example/", 400, "redirect must be"],
      ["/v1/match?partner=ssp1&puid=r1&redirect=javascript:alert(1)", 400, "redirect must be"],
      ["/v1/match?partner=nobody&puid=r1", 404, 'unknown partner "nobody"'],
      ["/v1/sync?partner=nobody", 404, 'unknown partner "nobody"'],
      ["/v1/match?puid=r1", 400, "partner is required"],
      ["/v1/match?partner=ssp1&puid=a%7Cb", 400, "puid must match"],
      [`/v1/match?partner=ssp1&puid=${"x".repeat(129)}`, 400, "puid must match"],
      ["/v1/match?partner=ssp1", 400, "puid must match"],
    ];
    for (const [path, status, message] of cases) {
      const res = await call(path, { headers: { Cookie: cookie } });
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: string }).error, path).toContain(message);
    }
    expect(await aliases()).not.toContain("a:ssp1:r1");
    const lookups: [string, number][] = [
      ["/v1/partners/nobody/users/x/segments", 404],
      ["/v1/partners/ssp1/users/a%7Cb/segments", 400],
    ];
    for (const [path, status] of lookups) expect((await call(path, { headers: S2S })).status, path).toBe(status);
    const tooMany = await call("/v1/lookup", {
      method: "POST",
      headers: S2S,
      body: JSON.stringify({ partner: "ssp1", puids: Array.from({ length: 101 }, (_, i) => `p${i}`) }),
    });
    expect(tooMany.status).toBe(413);
    expect((await call("/v1/partners/ssp1/users/x/segments")).status).toBe(401);
  });

  it("validates the partner document: a sync URL off the partner's hosts, an unknown macro, a bad vendor id", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ ...SSP, syncUrl: "https://elsewhere.example/?u={UDN_ID}" }, "partners[0].syncUrl must be https on one of redirectHosts"],
      [{ ...SSP, syncUrl: "https://sync.ssp1.example/?u={UID}" }, "partners[0].syncUrl has an unknown macro {UID}"],
      [{ ...SSP, gvlid: 0 }, "partners[0].gvlid"],
      [{ ...SSP, id: "Bad Id" }, "partners[0].id"],
      [{ ...SSP, eids: { source: "ssp1.example", atype: 2 } }, "partners[0].eids.atype"],
    ];
    for (const [partner, message] of bad) {
      const res = await putPartners([partner]);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(message);
    }
    const doc = (await (await call("/v1/admin/partners", { headers: ADMIN })).json()) as { partners: { id: string }[] };
    expect(doc.partners.map((p) => p.id)).toEqual(["ssp1"]);
  });

  it("keeps at most 16 partner ids per user, the least recently synced dropped with its alias", async () => {
    const many = Array.from({ length: 17 }, (_, i) => ({ ...SSP, id: `p${String(i).padStart(2, "0")}` }));
    expect((await putPartners([SSP, ...many])).status).toBe(200);
    const cookie = await browser("ManyPartnersUser000000");
    for (const p of many) {
      const res = await call(`/v1/match?partner=${p.id}&puid=id-${p.id}`, { headers: { Cookie: cookie } });
      expect(res.headers.get("X-Udn-Match")).toBe("stored");
      await new Promise((r) => setTimeout(r, 2));
    }
    const held = (await aliases()).filter((k) => /^a:p\d\d:/.test(k));
    expect(held).toHaveLength(16);
    expect(held).not.toContain("a:p00:id-p00");
    expect((await recordWith("ManyPartnersUser000000", 16)).split("|")[3]).not.toContain("p00:");
    expect((await putPartners()).status).toBe(200);
  });

  it("limits a match flood like events", async () => {
    const cookie = await browser("MatchFloodUser00000000");
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await call(`/v1/match?partner=ssp1&puid=flood-${i}`, { headers: { Cookie: cookie } })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(20);
  });

  it("answers 503 when the user's object cannot be reached, storing nothing and redirecting nowhere", async () => {
    const cookie = await browser("MatchObjectDownUser000");
    const objectsDown = {
      getByName: () => ({ linkPartner: () => Promise.reject(new Error("injected: object unreachable")) }),
    } as unknown as Env["USER_PROFILE"];
    const redirect = encodeURIComponent("https://sync.ssp1.example/done");
    const res = await callWith({ USER_PROFILE: objectsDown }, `/v1/match?partner=ssp1&puid=DOWN-1&redirect=${redirect}`, {
      headers: { Cookie: cookie },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "the partner's id could not be stored now; retry" });
    expect(res.headers.get("Location")).toBeNull();
    expect(await env.PROFILES.get("a:ssp1:DOWN-1")).toBeNull();
  });
});
