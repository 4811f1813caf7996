/** Consent through the routes: without it no cookie and nothing stored; with it, recorded. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import { signUid } from "../../worker/identity/signed-ids";
import { gppString, tcString } from "../support/consent-strings";
import { call, putSegments, view } from "../support/helpers";

/** Storage is shared by the tests of a file, so each test names its own user. */
const cookie = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;
const GRANTED = `gdpr=1&gdpr_consent=${tcString()}`;
const REFUSED = `gdpr=1&gdpr_consent=${tcString({ vendors: [99] })}`;

async function known(uid: string): Promise<string> {
  await env.PROFILES.put(`u:${uid}`, encodeProfile({ ts: 1700000000000, segments: [{ id: "806", taxonomy: 4 }] }));
  return cookie(uid);
}

function events(query: string, headers: Record<string, string>, id: string) {
  return call(`/v1/events?${query}`, {
    method: "POST",
    headers: { "Content-Type": "text/plain", ...headers },
    body: JSON.stringify({ events: [view(id, { url: "/cars/a" })] }),
  });
}

describe("consent on /v1/segments", () => {
  it("answers a known browser whose TC string gives consent, and mints an id for a new one", async () => {
    const c = await known("K".repeat(22));
    expect(await (await call(`/v1/segments?${GRANTED}`, { headers: { Cookie: c } })).json()).toEqual({
      segments: ["806"],
      ts: 1700000000000,
    });
    const fresh = await call(`/v1/segments?${GRANTED}`);
    expect(fresh.headers.getSetCookie()[0]).toMatch(/^udn_id=/);
    expect(fresh.headers.get("X-Udn-Consent")).toBeNull();
  });

  it("answers empty segments and sets no cookie without the consent we need, even for a known browser", async () => {
    const c = await known("L".repeat(22));
    const cases: [string, Record<string, string>, string][] = [
      [REFUSED, {}, "gives vendor"],
      [`gdpr=1&gdpr_consent=${tcString({ purposes: [1, 3] })}`, {}, "no consent for purpose 4"],
      ["gdpr=1", {}, "without gdpr_consent"],
      ["gdpr=1&gdpr_consent=not-a-tc-string", {}, "not a valid TC string"],
      ["us_privacy=1YY-", {}, "us_privacy opts out of sale"],
      [`gpp=${gppString({ usnat: { SharingOptOut: 1 } })}&gpp_sid=7`, {}, "usnat has SharingOptOut"],
      [GRANTED, { "Sec-GPC": "1" }, "Sec-GPC"],
    ];
    for (const [query, headers, reason] of cases) {
      for (const h of [{ Cookie: c, ...headers }, headers]) {
        const res = await call(`/v1/segments?${query}&format=gpt`, { headers: h });
        expect(res.status, reason).toBe(200);
        expect(await res.json()).toEqual({ udn: [] });
        expect(res.headers.get("Set-Cookie"), reason).toBeNull();
        expect(res.headers.get("X-Udn-Consent")).toContain(reason);
      }
    }
    // A listed origin's script may read why.
    const cors = await call(`/v1/segments?${REFUSED}`, { headers: { Origin: "http://localhost:8080" } });
    expect(cors.headers.get("Access-Control-Expose-Headers")).toBe("X-Udn-Consent");
  });
});

describe("consent on event collection", () => {
  it("records events sent with consent, as query parameters of the beacon", async () => {
    await putSegments();
    const uid = "M".repeat(22);
    const res = await events(
      `${GRANTED}&us_privacy=1YN-&gpp=${gppString({ usca: { SaleOptOut: 2 } })}&gpp_sid=8`,
      { Cookie: await cookie(uid) },
      "m1",
    );
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ eventsSeen: 1, segments: [{ id: "244", taxonomy: 4 }] });
    expect(await env.PROFILES.get(`u:${uid}`)).not.toBeNull();
  });

  it("stores nothing and sets no cookie for events or pixels without consent", async () => {
    await putSegments();
    const uid = "N".repeat(22);
    const c = await cookie(uid);
    const refusals: [string, Record<string, string>][] = [
      [REFUSED, {}],
      ["us_privacy=1YY-", {}],
      [`gpp=${gppString({ usnat: { TargetedAdvertisingOptOut: 1 } })}&gpp_sid=7`, {}],
      ["", { "Sec-GPC": "1" }],
    ];
    for (const [i, [query, headers]] of refusals.entries()) {
      const res = await events(query, { Cookie: c, ...headers }, `n${i}`);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 0 });
      expect(res.headers.get("Set-Cookie")).toBeNull();
      const px = await call(`/v1/px.gif?type=view&id=px${i}&url=/cars/b&${query}`, { headers: { Cookie: c, ...headers } });
      expect(px.headers.get("Content-Type")).toBe("image/gif");
      expect(px.headers.get("Set-Cookie")).toBeNull();
      const anon = await events(query, headers, `anon${i}`);
      expect(anon.headers.get("Set-Cookie")).toBeNull();
    }
    expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ eventsSeen: 0, segments: [] });
    expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();
    // The same browser with consent is recorded: the refusals above were the signals' doing.
    await call(`/v1/px.gif?type=view&id=px-ok&url=/cars/b&${GRANTED}`, { headers: { Cookie: c } });
    expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ eventsSeen: 1 });
  });
});
