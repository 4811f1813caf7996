/** Chromium blocking third-party cookies (set through DevTools): proved with a control cookie; a Partitioned id still recognises the browser, an unpartitioned one cannot. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlCookies, startControlServer } from "./control-cookie-server";
import { chromiumPerTest, idCookie, POLL, type PublisherSite, publisherSite, tagLoaded, type Watched } from "./harness";

const CONTROL = 8794;

let control: Awaited<ReturnType<typeof startControlServer>>;
const partitioned = publisherSite();
const unpartitioned = publisherSite({ edge: 8791, publisher: 8793, partitioned: false });
const browser = chromiumPerTest();

beforeAll(async () => {
  control = await startControlServer(CONTROL);
});
afterAll(async () => {
  await control?.close();
});
async function open(mode: "allow" | "block", site: PublisherSite): Promise<Watched> {
  const w = await browser.watch(site.edge.origin, [], mode);
  await w.page.goto(`${site.publisher.url}/tag-page.html`);
  return w;
}

const controlCookiesFrom = (w: Watched) => controlCookies(w.page, control.origin);

describe("third-party cookies", () => {
  it("come back when allowed: the control detects a browser that does not block", async () => {
    const w = await open("allow", partitioned);
    expect((await controlCookiesFrom(w)).split("; ").sort()).toEqual(["udn_ctl=1", "udn_ctlp=1"]);
  });

  it("are blocked when the test asks: only the Partitioned control cookie comes back", async () => {
    const w = await open("block", partitioned);
    expect(await controlCookiesFrom(w)).toBe("udn_ctlp=1");
  });

  it("blocked, a Partitioned udn_id still recognises the browser on every call (COOKIE_PARTITIONED on)", async () => {
    const w = await open("block", partitioned);
    expect(await controlCookiesFrom(w)).toBe("udn_ctlp=1");
    await tagLoaded(w.page);
    await w.page.evaluate(() => window.udn.segments());
    await w.page.evaluate(() => {
      for (let i = 0; i < 3; i++) window.udn.track("view", { category: "auto" });
    });
    // Only a browser recognised across calls can qualify: the first call minted the id the events body carries.
    await expect.poll(() => w.page.evaluate(() => window.udn.segments()), POLL).toContain("806");
    // And on the next page view, which looks the browser up again.
    await w.page.reload();
    await tagLoaded(w.page);
    expect(await w.page.evaluate(() => window.udn.segments())).toContain("806");
    // DevTools reports a call's headers on its own time, after the page may have seen the answer.
    await expect.poll(() => w.calls().filter((c) => c.url.pathname !== "/v1/tag.js").length, POLL).toBeGreaterThanOrEqual(3);
    const [first, ...later] = w.calls().filter((c) => c.url.pathname !== "/v1/tag.js");
    const value = /^udn_id=([^;]+)/.exec(first!.setCookies[0] ?? "")?.[1];
    expect(first!.setCookies[0]).toContain("Partitioned");
    expect(first!.refused).toEqual([]);
    expect(later.length).toBeGreaterThanOrEqual(2);
    for (const c of later) expect(idCookie(c.cookie), `${c.method} ${c.url.pathname}`).toBe(value);
    // Cookies ignore ports: the control's Partitioned cookie is stored for this host too, and is no concern here.
    const stored = (await (await browser.context()).cookies(partitioned.edge.origin)).filter((c) => c.name.startsWith("udn_id"));
    expect(stored.map((c) => [c.name, c.value, c.partitionKey])).toEqual([["udn_id", value, "http://localhost"]]);
  });

  it("blocked, an unpartitioned udn_id is refused: the browser is a stranger on every call (COOKIE_PARTITIONED off)", async () => {
    const w = await open("block", unpartitioned);
    await tagLoaded(w.page);
    // One lookup per page view: three views, three lookups.
    for (let i = 0; i < 3; i++) {
      if (i) await w.page.reload();
      await tagLoaded(w.page);
      expect(await w.page.evaluate(() => window.udn.segments())).toEqual([]);
    }
    // The page's queued view goes first each time; its answer is the page view's lookup.
    const lookupCalls = () => w.calls().filter((c) => c.url.pathname !== "/v1/tag.js");
    await expect.poll(() => lookupCalls().length, POLL).toBeGreaterThanOrEqual(3);
    const lookups = lookupCalls();
    const minted = new Set<string>();
    for (const c of lookups) {
      expect(c.cookie).toBe("");
      const set = c.setCookies.find((s) => s.startsWith("udn_id="))!;
      expect(set).not.toContain("Partitioned");
      // Refused as a third-party cookie ("UserPreferences" is Chromium's reason for that), not as a malformed one.
      expect(c.refused).toEqual([{ name: "udn_id", reasons: ["UserPreferences"] }]);
      minted.add(set.split(";")[0]!);
    }
    expect(minted.size).toBe(lookups.length);
    expect(await (await browser.context()).cookies(unpartitioned.edge.origin)).toEqual([]);
    // Last, as its cookies land on the edge's host too.
    expect(await controlCookiesFrom(w)).toBe("udn_ctlp=1");
  });
});
