/** The tag on a publisher's page in Chromium, against the built Worker: queue, events, segments, cookie, GPT, Prebid, the demo page. */
import { describe, expect, it } from "vitest";
import { chromiumPerTest, idCookie, POLL, publisherSite, tagLoaded, type Watched } from "./harness";

const site = publisherSite();
const browser = chromiumPerTest();

async function open(path: string, allowConsole: RegExp[] = []): Promise<Watched> {
  const w = await browser.watch(site.edge.origin, allowConsole);
  await w.page.goto(site.publisher.url + path);
  return w;
}

/** Three car views: the demo rules make that segment 806 (and 244, for the /cars/ URLs). */
const threeCarViews = () => {
  for (let i = 0; i < 3; i++) window.udn.track("view", { category: "auto", url: `/cars/model-${i}` });
};

describe("the tag on a publisher's page", () => {
  it("replays the page's queue, batches tracked events into one text/plain body, and shows the segment they qualify", async () => {
    const { page, beacons } = await open("/tag-page.html");
    await tagLoaded(page);
    expect(await page.evaluate(() => window.queuedFunctionRan)).toBe(true);
    // The page's first call goes alone (the queued view, flushed by this lookup); once answered, the gate is open.
    expect(await page.evaluate(() => window.udn.segments())).toEqual([]);
    await page.evaluate(threeCarViews);
    await expect.poll(() => page.evaluate(() => window.udn.segments()), POLL).toEqual(expect.arrayContaining(["806", "244"]));

    // A body is read through DevTools after it is sent: the segments it made can be seen before it is.
    await expect.poll(() => beacons.length, POLL).toBe(2);
    const bodies = beacons.map((b) => (JSON.parse(b.body) as { events: { type: string; props: Record<string, string> }[] }).events);
    expect(bodies.map((events) => events.map((e) => e.props.category))).toEqual([["news"], ["auto", "auto", "auto"]]);
    for (const b of beacons) expect(b.contentType).toBe("text/plain;charset=UTF-8");
    // While the page is shown, bodies go by fetch (keepalive), whose answer carries the profile; beacons are for leaving.
    expect(await page.evaluate(() => window.udnSent)).toEqual(["keepalive", "keepalive"]);
  });

  it("gets an id cookie with the contract's attributes, which comes back on every later call", async () => {
    const w = await open("/tag-page.html");
    const page = w.page;
    await tagLoaded(page);
    await page.evaluate(() => window.udn.segments());
    await page.evaluate(threeCarViews);
    await expect.poll(() => page.evaluate(() => window.udn.segments()), POLL).toContain("806");
    await page.evaluate(() => window.udn.ortb2());

    // A first lookup, two events bodies (the queued view, the car views), the lookups after them.
    await expect.poll(() => w.calls().filter((c) => c.method === "POST").length, POLL).toBe(2);
    const toEdge = w.calls().filter((c) => c.url.pathname !== "/v1/tag.js");
    const [first, ...later] = toEdge;
    expect(first!.cookie).toBe("");
    const set = first!.setCookies.find((c) => c.startsWith("udn_id="))!;
    for (const attr of ["Path=/", "Max-Age=34560000", "SameSite=None", "Secure", "HttpOnly", "Partitioned"]) expect(set).toContain(attr);
    const value = /^udn_id=([^;]+)/.exec(set)![1]!;
    for (const c of later) {
      expect(idCookie(c.cookie), `${c.method} ${c.url.pathname}`).toBe(value);
      expect(c.setCookies.filter((s) => s.startsWith("udn_id="))).toEqual([]);
    }

    const stored = (await (await browser.context()).cookies(site.edge.origin)).find((c) => c.name === "udn_id")!;
    expect(stored).toMatchObject({ value, path: "/", httpOnly: true, secure: true, sameSite: "None", partitionKey: "http://localhost" });
    expect(stored.expires - Date.now() / 1000).toBeGreaterThan(399 * 86_400);
    expect(stored.expires - Date.now() / 1000).toBeLessThanOrEqual(400 * 86_400);
  });

  it("sets the segments as page-level GPT key-values through googletag.cmd and gives Prebid its user.data", async () => {
    const { page } = await open("/tag-page.html");
    await tagLoaded(page);
    await page.evaluate(threeCarViews);
    await expect.poll(() => page.evaluate(() => window.udn.segments()), POLL).toEqual(expect.arrayContaining(["806", "244"]));

    const targeting = await page.evaluate(() => window.udn.gpt());
    expect(targeting).toEqual({ udn: expect.arrayContaining(["806", "244"]) });
    // gpt.js arrives: it runs the queue, as GPT does, with its API in place.
    const received = await page.evaluate(() => {
      const calls: unknown[][] = [];
      const queue = window.googletag.cmd as (() => void)[];
      window.googletag.pubads = () => ({
        setTargeting: (k: string, v: string[]) => calls.push(["set", k, v]),
        clearTargeting: (k: string) => calls.push(["clear", k]),
      });
      window.googletag.cmd = { push: (fn: () => void) => fn() };
      queue.forEach((fn) => fn());
      return calls;
    });
    expect(received).toEqual([["set", "udn", targeting.udn]]);

    const ortb2 = await page.evaluate(() => window.udn.ortb2());
    expect(ortb2).toEqual({
      user: { data: [{ name: "udn.example", ext: { segtax: 4 }, segment: expect.arrayContaining([{ id: "806" }, { id: "244" }]) }] },
    });
  });

  it("never throws into the page, whatever the page passes it or breaks around it", async () => {
    const warnings: string[] = [];
    const { page } = await open("/tag-page.html", [/^\[udn\] /]);
    page.on("console", (m) => m.text().startsWith("[udn]") && warnings.push(m.text()));
    await tagLoaded(page);
    const answers = await page.evaluate(async () => {
      const u = window.udn as unknown as Record<string, (...args: unknown[]) => unknown>;
      u.track!();
      u.track!("Not A Type", { category: "auto" });
      u.track!("view", "not an object");
      u.track!("view", { nested: { a: 1 }, list: [1], fn: () => 1 });
      u.push!(42);
      u.push!(["nope"]);
      u.push!(() => {
        throw new Error("the page's own bug");
      });
      // A page that broke the globals the tag relies on.
      (window as unknown as { googletag: unknown }).googletag = 5;
      const gpt = await window.udn.gpt();
      navigator.sendBeacon = () => {
        throw new TypeError("beacons disabled");
      };
      window.udn.track("view", { category: "auto" });
      window.udn.flush();
      window.fetch = () => {
        throw new TypeError("fetch replaced");
      };
      return { gpt, segments: await window.udn.segments(), ortb2: await window.udn.ortb2(), optout: await window.udn.optout() };
    });
    expect(answers).toEqual({ gpt: {}, segments: [], ortb2: { user: { data: [] } }, optout: false });
    expect(warnings.some((w) => w.includes("event type must match"))).toBe(true);
    expect(warnings.some((w) => w.includes("unknown command"))).toBe(true);
    expect(warnings.some((w) => w.includes("a queued command threw"))).toBe(true);
  });

  it("serves a demo publisher page that shows the events sent, the segments as they qualify, the ad server's key-values and a Prebid auction", async () => {
    const { page } = await open("/");
    await tagLoaded(page);
    for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "Read: SUV review" }).click();
    await expect.poll(() => page.locator("#segments").textContent(), POLL).toContain("806");
    await expect.poll(() => page.locator("#keyvalues").textContent(), POLL).toMatch(/^udn=.*806/);
    expect(await page.locator("#ortb2").textContent()).toContain('"segtax": 4');
    // The page view and the three clicks.
    expect(await page.locator("#events li").count()).toBe(4);
    // The Prebid auction: alpha with the edge's ids, beta with them mapped into its taxonomy; GAM's key-values.
    await expect.poll(() => page.locator("#bidders").textContent(), POLL).toMatch(/alpha:\n.*udn\.example segtax 4: .*806/);
    const bidders = (await page.locator("#bidders").textContent())!;
    expect(bidders).toMatch(/beta:\n.*udn\.example segtax 501: .*auto-intender/);
    await expect.poll(() => page.locator("#gam").textContent(), POLL).toMatch(/^udn=.*806/m);
    expect(await page.locator("#gam").textContent()).toMatch(/^hb_bidder=alpha$/m);
  });
});
