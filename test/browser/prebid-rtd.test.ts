/** The udn real-time-data module in a real Prebid.js auction in Chromium, against the built Worker: fragments, auctionDelay, consent, deletion, blocked cookies. */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeTcString } from "../support/consent-builders";
import { tcString } from "./consent-fixtures";
import { controlCookies, startControlServer } from "./control-cookie-server";
import { ADMIN, chromiumPerTest, POLL, publisherSite, tagLoaded, type Watched } from "./harness";

const CONTROL = 8794;
const VENDOR = 1234;
/** The demo bidders' vendor ids (demo/prebid/recording-bid-adapter.ts): consented in every case, so only our vendor's consent varies. */
const BIDDERS = [9001, 9002];

let control: Awaited<ReturnType<typeof startControlServer>>;
const site = publisherSite();
const browser = chromiumPerTest();

beforeAll(async () => {
  control = await startControlServer(CONTROL);
});
afterAll(async () => {
  await control?.close();
});

interface Setup {
  params?: Record<string, unknown>;
  auctionDelay?: number;
  tcf?: { tcString: string; vendors: number[]; purposes: number[] };
  usp?: boolean;
}
interface Auction {
  bidders: Record<
    string,
    {
      user?: { data?: { name: string; ext?: { segtax?: number }; segment: { id: string }[] }[]; ext?: { eids?: { source: string }[] } };
      site?: { content?: { data?: { name: string; ext?: { segtax?: number }; segment: { id: string }[] }[] } };
    }
  >;
  startedAfter: number;
  targeting: Record<string, Record<string, unknown>>;
}

const pageUrl = (setup: Setup) => `${site.publisher.url}/prebid-page.html#${encodeURIComponent(JSON.stringify(setup))}`;
async function open(setup: Setup, mode?: "allow" | "block"): Promise<Watched> {
  const w = await browser.watch(site.edge.origin, [], mode);
  await w.page.goto(pageUrl(setup));
  await tagLoaded(w.page);
  return w;
}
const auction = (page: Page) => page.evaluate(() => (window as unknown as { runAuction(): Promise<Auction> }).runAuction());
/** Three car views: the demo rules make that 806 and 244; waits until the page's profile has them. */
async function qualify(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (let i = 0; i < 3; i++) window.udn.track("view", { category: "auto", url: `/cars/model-${i}` });
  });
  await expect.poll(() => page.evaluate(() => window.udn.segments()), POLL).toEqual(expect.arrayContaining(["806", "244"]));
}
const ours = (a: Auction, bidder: string) => (a.bidders[bidder]?.user?.data ?? []).filter((d) => d.name === "udn.example");
const names = (a: Auction, bidder: string) => (a.bidders[bidder]?.user?.data ?? []).map((d) => d.name).sort();
const EDGE_DATA = { name: "udn.example", ext: { segtax: 4 }, segment: expect.arrayContaining([{ id: "806" }, { id: "244" }]) };
/** The page's other ID module's eid (prebid-page.html): ours go beside it, never over it. */
const OTHER_EID = { source: "id.example", uids: [{ id: "u1", atype: 1 }] };
const sources = (a: Auction, bidder: string) => (a.bidders[bidder]?.user?.ext?.eids ?? []).map((e) => e.source);
/** The browser's uid, from its udn_id cookie: what our eid carries. */
const browserUid = async () =>
  (await (await browser.context()).cookies(site.edge.origin)).find((c) => c.name === "udn_id")!.value.split(".")[0]!;

describe("udnRtdProvider in a Prebid auction", () => {
  it("puts the segments and our eid in the global fragment for every bidder, beside other modules' data and ids, with GAM key-values per ad unit", async () => {
    const { page } = await open({});
    await qualify(page);
    const a = await auction(page);
    const uid = await browserUid();
    for (const bidder of ["alpha", "beta"]) {
      expect(ours(a, bidder)).toEqual([EDGE_DATA]);
      // The other module's eid first and as it was; ours (the browser's id) appended once.
      expect(a.bidders[bidder]!.user!.ext).toEqual({ eids: [OTHER_EID, { source: "udn.example", uids: [{ id: uid, atype: 1 }] }] });
    }
    expect(names(a, "alpha")).toEqual(["alpha.example", "other.example", "udn.example"]);
    expect(names(a, "beta")).toEqual(["other.example", "udn.example"]);
    // Prebid joins a key's values with commas for GAM.
    expect(String(a.targeting["ad-top"]!.udn).split(",").sort()).toEqual(["244", "806"]);
  });

  it("with bidders listed, gives only them the segments, each in its own fragment and taxonomy, and leaves the global fragment alone", async () => {
    const params = { bidders: ["alpha"], taxonomies: { alpha: { segtax: 501, ids: { "806": "auto-intender" } } } };
    const { page } = await open({ params });
    await qualify(page);
    const a = await auction(page);
    expect(ours(a, "alpha")).toEqual([{ name: "udn.example", ext: { segtax: 501 }, segment: [{ id: "auto-intender" }] }]);
    expect(names(a, "alpha")).toEqual(["alpha.example", "other.example", "udn.example"]);
    expect(ours(a, "beta")).toEqual([]);
    expect(names(a, "beta")).toEqual(["other.example"]);
    // Our eid goes where our segments go: the listed bidder only.
    expect(sources(a, "alpha")).toEqual(["id.example", "udn.example"]);
    expect(sources(a, "beta")).toEqual(["id.example"]);
    const global = await page.evaluate(() => (window as unknown as { pbjs: { getConfig(k: string): unknown } }).pbjs.getConfig("ortb2"));
    expect(global).toEqual({
      user: {
        data: [{ name: "other.example", segment: [{ id: "o1" }] }],
        ext: { eids: [{ source: "id.example", uids: [{ id: "u1", atype: 1 }] }] },
      },
    });

    // Two bidders listed, one without a mapping: it gets the edge's own user.data.
    const both = await open({ params: { ...params, bidders: ["alpha", "beta"] } });
    const b = await auction(both.page);
    expect(ours(b, "beta")).toEqual([EDGE_DATA]);
    expect(ours(b, "alpha")).toEqual([{ name: "udn.example", ext: { segtax: 501 }, segment: [{ id: "auto-intender" }] }]);
  });

  it("with the edge slowed far past auctionDelay, starts the auction within auctionDelay using the page's cached segments", async () => {
    const first = await open({ auctionDelay: 300 });
    await qualify(first.page);
    await first.page.close();
    const context = await browser.context();
    // Every call to the edge now takes 5 s, far past the auction's 300 ms delay.
    const slowed: number[] = [];
    await context.route(`${site.edge.origin}/v1/**`, async (route) => {
      slowed.push(Date.now());
      await new Promise((r) => setTimeout(r, 5000));
      await route.continue().catch(() => {});
    });
    const w = await browser.watch(site.edge.origin);
    await w.page.goto(pageUrl({ auctionDelay: 300, params: { waitMs: 5000 } }));
    const a = await auction(w.page);
    expect(slowed.length).toBeGreaterThan(0);
    // Generous slack for a shared 2-core machine; the edge's answer is still 4 s or more away.
    expect(a.startedAfter).toBeLessThan(300 + 700);
    for (const bidder of ["alpha", "beta"]) expect(ours(a, bidder)).toEqual([EDGE_DATA]);
    await context.unroute(`${site.edge.origin}/v1/**`);
  });

  it("with nothing cached and the edge slowed, lets the auction go after the configured wait, without segments", async () => {
    const context = await browser.context();
    await context.route(`${site.edge.origin}/v1/**`, async (route) => {
      await new Promise((r) => setTimeout(r, 5000));
      await route.continue().catch(() => {});
    });
    const w = await browser.watch(site.edge.origin);
    await w.page.goto(pageUrl({ auctionDelay: 3000, params: { waitMs: 300 } }));
    const a = await auction(w.page);
    expect(a.startedAfter).toBeGreaterThanOrEqual(250);
    expect(a.startedAfter).toBeLessThan(300 + 700);
    for (const bidder of ["alpha", "beta"]) expect(ours(a, bidder)).toEqual([]);
    await context.unroute(`${site.edge.origin}/v1/**`);
  });

  it("adds nothing under a TC string without our vendor, or without Purpose 4, even with segments cached", async () => {
    const granted = { tcString: tcString(true), vendors: [VENDOR, ...BIDDERS], purposes: [1, 2, 3, 4] };
    const first = await open({ tcf: granted });
    await qualify(first.page);
    const control = await auction(first.page);
    expect(ours(control, "alpha")).toEqual([EDGE_DATA]);
    await first.page.close();

    const refusals = [
      { tcString: encodeTcString(VENDOR, { vendors: [], purposes: [1, 2, 3, 4] }), vendors: BIDDERS, purposes: [1, 2, 3, 4] },
      { tcString: encodeTcString(VENDOR, { vendors: [VENDOR], purposes: [1, 2, 3] }), vendors: [VENDOR, ...BIDDERS], purposes: [1, 2, 3] },
    ];
    for (const tcf of refusals) {
      const w = await open({ tcf });
      const a = await auction(w.page);
      // The bidders are still asked; without our vendor they still get the other module's data (only ours is held
      // back), while without Purpose 4 Prebid keeps every user.data from them.
      expect(Object.keys(a.bidders).sort()).toEqual(["alpha", "beta"]);
      for (const bidder of ["alpha", "beta"]) {
        expect(ours(a, bidder), JSON.stringify(tcf.purposes)).toEqual([]);
        expect(sources(a, bidder), JSON.stringify(tcf.purposes)).not.toContain("udn.example");
      }
      expect(names(a, "beta"), JSON.stringify(tcf.purposes)).toEqual(tcf.purposes.includes(4) ? ["other.example"] : []);
      expect(a.targeting["ad-top"]?.udn).toBeUndefined();
      await w.page.close();
    }
  });

  it("opts the user out when the CMP asks Prebid for data deletion: the edge forgets them and the page's cache is cleared", async () => {
    const w = await open({ usp: true });
    await qualify(w.page);
    expect(ours(await auction(w.page), "alpha")).toEqual([EDGE_DATA]);
    const uid = (await (await browser.context()).cookies(site.edge.origin)).find((c) => c.name === "udn_id")!.value.split(".")[0]!;
    expect(await site.edge.kvKeys()).toContain(`u:${uid}`);

    await w.page.evaluate(() => (window as unknown as { requestDeletion(): void }).requestDeletion());
    await expect.poll(() => w.calls().some((c) => c.url.pathname === "/v1/optout" && c.status === 200), POLL).toBe(true);
    await expect.poll(() => site.edge.kvKeys(), POLL).not.toContain(`u:${uid}`);
    expect(await w.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("udn_rtd:")))).toEqual([]);
    expect(ours(await auction(w.page), "alpha")).toEqual([]);
  });

  it("gives every bidder the page's segments in site.content.data, beside the user's, once context rules describe the page", async () => {
    const rules = { version: 1, rules: [{ id: "483", taxonomy: 9, name: "Sports", when: { pathPrefix: ["/prebid-page"] } }] };
    const put = await fetch(`${site.edge.origin}/v1/admin/context`, { method: "PUT", headers: ADMIN, body: JSON.stringify(rules) });
    expect(put.status).toBe(200);
    const { page } = await open({});
    await qualify(page);
    const a = await auction(page);
    for (const bidder of ["alpha", "beta"]) {
      expect(ours(a, bidder)).toEqual([EDGE_DATA]);
      expect(a.bidders[bidder]!.site?.content?.data).toEqual([{ name: "udn.example", ext: { segtax: 9 }, segment: [{ id: "483" }] }]);
    }
  });

  it("works with third-party cookies blocked and COOKIE_PARTITIONED on", async () => {
    const w = await open({}, "block");
    expect(await controlCookies(w.page, control.origin)).toBe("udn_ctlp=1");
    await qualify(w.page);
    // The next page view: recognised by the partitioned id, answered from the cache at once.
    await w.page.reload();
    await tagLoaded(w.page);
    const a = await auction(w.page);
    for (const bidder of ["alpha", "beta"]) expect(ours(a, bidder)).toEqual([EDGE_DATA]);
  });
});
