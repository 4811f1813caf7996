/** Edge requests per page view: the page's view event, its segments, GPT key-values, Prebid user.data and the RTD module share one request. */
import { describe, expect, it } from "vitest";
import { chromiumPerTest, POLL, publisherSite, tagLoaded, type Watched } from "./harness";

const site = publisherSite();
const browser = chromiumPerTest();

/** What the page asked the edge (the tag script aside), once its segments, key-values and fragment are in. */
async function pageView(w: Watched): Promise<string[]> {
  await w.page.goto(`${site.publisher.url}/page-view.html`);
  await tagLoaded(w.page);
  await w.page.waitForFunction(() => (window as unknown as { pageViewDone?: unknown }).pageViewDone);
  const [segments, gpt, ortb2] = await w.page.evaluate(() => (window as unknown as { pageViewDone: Promise<unknown[]> }).pageViewDone);
  expect(segments).toEqual(["244"]);
  expect(gpt).toEqual({ udn: ["244"] });
  expect(ortb2).toEqual({ user: { data: [{ name: "udn.example", ext: { segtax: 4 }, segment: [{ id: "244" }] }] } });
  // Anything the page would still send shows up within this pause.
  await new Promise((r) => setTimeout(r, 1000));
  await expect.poll(() => w.calls().filter((c) => c.url.pathname !== "/v1/tag.js").length, POLL).toBeGreaterThan(0);
  return w
    .calls()
    .filter((c) => c.url.pathname !== "/v1/tag.js")
    .map((c) => `${c.method} ${c.url.pathname}${c.url.searchParams.has("answer") ? `?answer=${c.url.searchParams.get("answer")}` : ""}`);
}

describe("requests per page view", () => {
  it("is one: the view event's answer carries the profile that segments(), gpt() and ortb2() read", async () => {
    for (let view = 0; view < 2; view++) {
      const w = await browser.watch(site.edge.origin);
      expect(await pageView(w)).toEqual(["POST /v1/events?answer=profile"]);
      await w.page.close();
    }
  });

  it("stays one lookup after the user's own events: their answers keep the page's profile fresh (read-your-writes)", async () => {
    const w = await browser.watch(site.edge.origin);
    await w.page.goto(`${site.publisher.url}/quiet-page.html`);
    await tagLoaded(w.page);
    await w.page.evaluate(() => {
      const seen: unknown[] = [];
      (window as unknown as { profiles: unknown[] }).profiles = seen;
      addEventListener("udn:profile", (e) => seen.push((e as CustomEvent<{ segments: string[] }>).detail.segments));
    });
    expect(await w.page.evaluate(() => window.udn.segments())).toEqual([]);
    for (let click = 0; click < 3; click++) {
      await w.page.evaluate(() => window.udn.track("view", { category: "auto", url: "/cars/suv" }));
      // Each click goes out on its own (the batching window is 200 ms, sends at least 600 ms apart).
      await new Promise((r) => setTimeout(r, 700));
    }
    await expect.poll(() => w.page.evaluate(() => window.udn.segments()), POLL).toEqual(expect.arrayContaining(["806", "244"]));
    const calls = w.calls().filter((c) => c.url.pathname !== "/v1/tag.js");
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      "GET /v1/segments",
      "POST /v1/events",
      "POST /v1/events",
      "POST /v1/events",
    ]);
    // The lookup's empty profile, then one per events answer: 244 at the first car view, 806 at the third.
    const profiles = await w.page.evaluate(() => (window as unknown as { profiles: string[][] }).profiles);
    expect(profiles.map((p) => [...p].sort())).toEqual([[], ["244"], ["244"], ["244", "806"]]);
  });

  it("is one on the demo page too, with its Prebid auction and its segments polled every 3 s", async () => {
    const w = await browser.watch(site.edge.origin);
    await w.page.goto(`${site.publisher.url}/`);
    await tagLoaded(w.page);
    await expect.poll(() => w.page.locator("#bidders").textContent(), POLL).toContain("alpha:");
    // Past the page's first 3 s poll of segments(), gpt() and ortb2().
    await new Promise((r) => setTimeout(r, 3500));
    const calls = w.calls().filter((c) => c.url.pathname !== "/v1/tag.js");
    expect(calls.map((c) => `${c.method} ${c.url.pathname}?answer=${c.url.searchParams.get("answer")}`)).toEqual([
      "POST /v1/events?answer=profile",
    ]);
  });
});
