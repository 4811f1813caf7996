/** Page segments in Chromium: the tag reads the page's meta tags; a refused TC string gets them without user data or a cookie, consent gets both. */
import { beforeAll, describe, expect, it } from "vitest";
import { installTcfCmp, tcString } from "./consent-fixtures";
import { ADMIN, chromiumPerTest, POLL, publisherSite, tagLoaded } from "./harness";

const RULES = {
  version: 1,
  rules: [
    { id: "483", taxonomy: 9, name: "Sports", when: { section: ["sport"], lang: ["fr"] } },
    { id: "533", taxonomy: 9, name: "Sports | Soccer", when: { keywords: ["foot"], pathPrefix: ["/context-page"] } },
  ],
};
const SITE = { content: { data: [{ name: "udn.example", ext: { segtax: 9 }, segment: [{ id: "483" }, { id: "533" }] }] } };

const site = publisherSite({ edge: 8796, publisher: 8797 });
const browser = chromiumPerTest();

beforeAll(async () => {
  const put = await fetch(`${site.edge.origin}/v1/admin/context`, { method: "PUT", headers: ADMIN, body: JSON.stringify(RULES) });
  if (!put.ok) throw new Error(`loading context rules failed: ${put.status} ${await put.text()}`);
});

describe("a page's own segments", () => {
  it("reach a browser that refused consent, in site.content.data, with no user.data and no cookie", async () => {
    await installTcfCmp(await browser.context("allow"), tcString(false));
    const w = await browser.watch(site.edge.origin);
    await w.page.goto(`${site.publisher.url}/context-page.html?utm_source=mail`);
    await tagLoaded(w.page);
    expect(await w.page.evaluate(() => window.udn.ortb2())).toEqual({ user: { data: [] }, site: SITE });
    const lookup = w.calls().find((c) => c.url.pathname === "/v1/segments");
    expect(lookup?.url.searchParams.get("section")).toBe("Sport");
    expect(lookup?.url.searchParams.get("lang")).toBe("fr");
    expect(lookup?.setCookies).toEqual([]);
    expect(await (await browser.context()).cookies(site.edge.origin)).toEqual([]);
    expect((await site.edge.kvKeys()).filter((k) => k.startsWith("u:"))).toEqual([]);
  });

  it("come beside the user's segments when the user consented", async () => {
    await installTcfCmp(await browser.context("allow"), tcString(true));
    const w = await browser.watch(site.edge.origin);
    await w.page.goto(`${site.publisher.url}/context-page.html`);
    await tagLoaded(w.page);
    await w.page.evaluate(() => {
      for (let i = 0; i < 3; i++) window.udn.track("view", { category: "auto", url: "/cars/suv" });
    });
    await expect.poll(() => w.page.evaluate(() => window.udn.segments()), POLL).toContain("806");
    const ortb2 = (await w.page.evaluate(() => window.udn.ortb2())) as { user: { data: { segment: { id: string }[] }[] }; site: unknown };
    expect(ortb2.user.data.flatMap((d) => d.segment.map((s) => s.id))).toContain("806");
    expect(ortb2.site).toEqual(SITE);
    expect(await (await browser.context()).cookies(site.edge.origin)).not.toEqual([]);
  });
});
