/**
 * Cookie matching with a partner in Chromium: the partner's pixel redirecting to our `/v1/match`, and our `/v1/sync`
 * redirecting to the partner, from a publisher's page, with third-party cookies allowed and blocked, consent given and refused.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tcString } from "./consent-fixtures";
import { ADMIN, chromiumPerTest, POLL, type PublisherSite, publisherSite, S2S, tagLoaded, type Watched } from "./harness";
import { type PartnerServer, startPartnerServer } from "./partner-server";

const PARTNER = 8796;
const PARTNER_OF_UNPARTITIONED = 8797;
/** The S2S answer for a partner id nobody matched. */
const UNKNOWN: string[] | number = [];

let partner: PartnerServer;
let partnerOfUnpartitioned: PartnerServer;
const partitioned = publisherSite();
const unpartitioned = publisherSite({ edge: 8791, publisher: 8793, partitioned: false });
const browser = chromiumPerTest();

/** ssp1 at `site`'s edge: its sync URL on `server` (http on 127.0.0.1 is allowed for tests), its ids sent to bidders as ssp1.example eids. */
async function configurePartner(site: PublisherSite, server: PartnerServer): Promise<void> {
  const partners = {
    version: 1,
    partners: [
      {
        id: "ssp1",
        gvlid: 755,
        syncUrl: `${server.origin}/setuid?udn={UDN_ID}&gdpr={GDPR}&gdpr_consent={GDPR_CONSENT}&back={MATCH_URL}`,
        // A host with its port: http on 127.0.0.1 is allowed for tests, and each partner server has its own port.
        redirectHosts: [new URL(server.origin).host],
        eids: { source: "ssp1.example", atype: 1 },
      },
    ],
  };
  const res = await fetch(`${site.edge.origin}/v1/admin/partners`, { method: "PUT", headers: ADMIN, body: JSON.stringify(partners) });
  if (!res.ok) throw new Error(`configuring ssp1 failed: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  partner = await startPartnerServer(PARTNER, partitioned.edge.origin, "ssp1");
  partnerOfUnpartitioned = await startPartnerServer(PARTNER_OF_UNPARTITIONED, unpartitioned.edge.origin, "ssp1");
  await configurePartner(partitioned, partner);
  await configurePartner(unpartitioned, partnerOfUnpartitioned);
});
afterAll(async () => {
  await Promise.all([partner?.close(), partnerOfUnpartitioned?.close()]);
});

/** The publisher's page with the tag, its third-party cookies allowed or blocked; the tag's first call gives the browser its id. */
async function open(mode: "allow" | "block", site: PublisherSite): Promise<Watched> {
  const w = await browser.watch(site.edge.origin, [], mode);
  await w.page.goto(`${site.publisher.url}/tag-page.html`);
  await tagLoaded(w.page);
  return w;
}

/** Three car views: the demo rules make that 806; waits until the page's profile has it. */
async function qualify(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (let i = 0; i < 3; i++) window.udn.track("view", { category: "auto", url: `/cars/model-${i}` });
  });
  await expect.poll(() => page.evaluate(() => window.udn.segments()), POLL).toContain("806");
}

/** An `<img>` on the page, as a partner's pixel or our sync pixel is placed: resolves once it has loaded (or failed). */
const pixel = (page: Page, src: string) =>
  page.evaluate(
    (s) =>
      new Promise<string>((resolve) => {
        const img = new Image();
        img.onload = () => resolve("load");
        img.onerror = () => resolve("error");
        img.src = s;
      }),
    src,
  );

/** The answer of the first request to `pathname` at `site`'s edge the page makes from now on, hops of a redirect chain included. */
const nextAnswer = (page: Page, site: PublisherSite, pathname: string) =>
  page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.origin === site.edge.origin && u.pathname === pathname;
  });

/** The browser's uid at `site`'s edge, from its stored udn_id cookie. */
const uidAt = async (site: PublisherSite) =>
  (await (await browser.context()).cookies(site.edge.origin)).find((c) => c.name === "udn_id")?.value.split(".")[0];

/** A bidder's lookup by the partner's id (S2S): the browser's segments, or the status when there is no answer (an id nobody matched). */
async function segmentsByPartnerId(site: PublisherSite, puid: string): Promise<string[] | number> {
  const res = await fetch(`${site.edge.origin}/v1/partners/ssp1/users/${encodeURIComponent(puid)}/segments`, { headers: S2S });
  return res.ok ? ((await res.json()) as { segments: string[] }).segments : res.status;
}

describe("a partner's pixel redirecting to /v1/match", () => {
  it("with third-party cookies allowed, stores the partner's id for the browser: a lookup by it gives the browser's segments", async () => {
    const w = await open("allow", unpartitioned);
    await qualify(w.page);
    const uid = await uidAt(unpartitioned);
    expect(uid).toBeTruthy();

    const answer = nextAnswer(w.page, unpartitioned, "/v1/match");
    expect(await pixel(w.page, `${partnerOfUnpartitioned.origin}/pixel`)).toBe("load");
    const match = await answer;
    expect(match.status()).toBe(200);
    expect(match.headers()["x-udn-match"]).toBe("stored");
    expect((await match.request().allHeaders()).cookie).toContain(`udn_id=${uid}.`);

    const puid = partnerOfUnpartitioned.seen.at(-1)!.puid;
    expect(await segmentsByPartnerId(unpartitioned, puid)).toContain("806");
    // The next page view's profile carries the partner's id beside ours, for bidders.
    await w.page.reload();
    await tagLoaded(w.page);
    const eids = await w.page.evaluate(() => window.udn.profile().then((p) => (p?.user as { eids?: unknown })?.eids));
    expect(eids).toEqual(
      expect.arrayContaining([{ source: "ssp1.example", uids: [{ id: puid, atype: 1 }], matcher: "udn.example", mm: 2 }]),
    );
  });

  it("with third-party cookies blocked and COOKIE_PARTITIONED off, carries no id of ours: nothing is stored (no-id)", async () => {
    const w = await open("block", unpartitioned);
    expect(await w.page.evaluate(() => window.udn.segments())).toEqual([]);
    const answer = nextAnswer(w.page, unpartitioned, "/v1/match");
    expect(await pixel(w.page, `${partnerOfUnpartitioned.origin}/pixel`)).toBe("load");
    const match = await answer;
    expect(match.status()).toBe(200);
    expect(match.headers()["x-udn-match"]).toBe("no-id");
    expect((await match.request().allHeaders()).cookie ?? "").not.toContain("udn_id=");
    // The partner's own cookie is blocked as well: it minted a new id for this browser.
    const seen = partnerOfUnpartitioned.seen.at(-1)!;
    expect(seen.fresh).toBe(true);
    expect(await segmentsByPartnerId(unpartitioned, seen.puid)).toEqual(UNKNOWN);
  });

  it("with third-party cookies blocked and COOKIE_PARTITIONED on, matches the id of this site's partition", async () => {
    const w = await open("block", partitioned);
    await qualify(w.page);
    const answer = nextAnswer(w.page, partitioned, "/v1/match");
    expect(await pixel(w.page, `${partner.origin}/pixel`)).toBe("load");
    const match = await answer;
    expect(match.headers()["x-udn-match"]).toBe("stored");
    // The cookie that came is the one partitioned under the publisher's site: the partner has the id of this site only.
    const stored = (await (await browser.context()).cookies(partitioned.edge.origin)).find((c) => c.name === "udn_id")!;
    expect(stored.partitionKey).toBe("http://localhost");
    expect((await match.request().allHeaders()).cookie).toContain(`udn_id=${stored.value}`);
    const seen = partner.seen.at(-1)!;
    expect(await segmentsByPartnerId(partitioned, seen.puid)).toContain("806");
    // The partner's own (unpartitioned) cookie is blocked: it minted a new id, so its matches never repeat.
    expect(seen.fresh).toBe(true);
  });

  it("under a refusing TC string, stores nothing (denied)", async () => {
    const w = await open("allow", unpartitioned);
    await qualify(w.page);
    const refused = new URLSearchParams({ gdpr: "1", gdpr_consent: tcString(false) });
    const answer = nextAnswer(w.page, unpartitioned, "/v1/match");
    expect(await pixel(w.page, `${unpartitioned.edge.origin}/v1/match?partner=ssp1&puid=ssp-refused&${refused}`)).toBe("load");
    expect((await answer).headers()["x-udn-match"]).toBe("denied");
    expect(await segmentsByPartnerId(unpartitioned, "ssp-refused")).toEqual(UNKNOWN);
  });
});

describe("our /v1/sync redirecting to the partner", () => {
  it("sends the browser to the partner's sync URL with our id filled in; the partner's way back stores its id", async () => {
    const w = await open("allow", unpartitioned);
    await qualify(w.page);
    const uid = await uidAt(unpartitioned);
    const before = partnerOfUnpartitioned.seen.length;
    const sync = nextAnswer(w.page, unpartitioned, "/v1/sync");
    const match = nextAnswer(w.page, unpartitioned, "/v1/match");
    expect(await pixel(w.page, `${unpartitioned.edge.origin}/v1/sync?partner=ssp1`)).toBe("load");
    const redirect = await sync;
    expect(redirect.status()).toBe(302);
    expect(new URL(redirect.headers().location!).origin).toBe(partnerOfUnpartitioned.origin);

    const landed = partnerOfUnpartitioned.seen.slice(before).find((s) => s.path === "/setuid")!;
    expect(landed.query.udn).toBe(uid);
    expect(landed.query.back).toBe(`${unpartitioned.edge.origin}/v1/match?partner=ssp1&puid=`);
    expect((await match).headers()["x-udn-match"]).toBe("stored");
    expect(await segmentsByPartnerId(unpartitioned, landed.puid)).toContain("806");
  });

  it("does not redirect under a refusing TC string: the partner gets nothing", async () => {
    const w = await open("allow", unpartitioned);
    await w.page.evaluate(() => window.udn.segments());
    const before = partnerOfUnpartitioned.seen.length;
    const refused = new URLSearchParams({ partner: "ssp1", gdpr: "1", gdpr_consent: tcString(false) });
    const sync = nextAnswer(w.page, unpartitioned, "/v1/sync");
    expect(await pixel(w.page, `${unpartitioned.edge.origin}/v1/sync?${refused}`)).toBe("load");
    const answer = await sync;
    expect(answer.status()).toBe(200);
    expect(answer.headers()["x-udn-sync"]).toBe("denied");
    expect(answer.headers().location).toBeUndefined();
    expect(partnerOfUnpartitioned.seen.length).toBe(before);
  });
});
