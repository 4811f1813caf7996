/** Declared ids in Chromium: two browsers signing in as one reader on the demo page share one profile; an address never leaves the page. */
import { afterEach, describe, expect, it } from "vitest";
import {
  chromiumPerTest,
  idCookie,
  type LaunchedChromium,
  launchChromium,
  POLL,
  publisherSite,
  tagLoaded,
  uidOf,
  type Watched,
  watchPage,
} from "./harness";

const site = publisherSite();
const browser = chromiumPerTest();
/** A second browser (its own profile and cookies), for the tests that need two. */
let second: LaunchedChromium | undefined;
const secondPages: Watched[] = [];

afterEach(async () => {
  await second?.close();
  second = undefined;
  for (const w of secondPages.splice(0)) expect(w.problems).toEqual([]);
});

/** The demo page in a browser, once its tag has loaded. */
async function demo(w: Watched): Promise<Watched> {
  await w.page.goto(`${site.publisher.url}/`);
  await tagLoaded(w.page);
  return w;
}
const segmentsShown = (w: Watched) => w.page.locator("#segments").textContent();
/** Clicks "Read: SUV review" `times`, and waits until the page's events (its own view first) have all gone out and been answered. */
async function readSuvReview(w: Watched, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await w.page.getByRole("button", { name: "Read: SUV review" }).click();
  const events = () => w.beacons.reduce((sum, b) => sum + (JSON.parse(b.body) as { events: unknown[] }).events.length, 0);
  await expect.poll(events, POLL).toBe(1 + times);
  await expect
    .poll(() => w.calls().filter((c) => c.method === "POST" && c.url.pathname === "/v1/events").length, POLL)
    .toBe(w.beacons.length);
}
/** Our eid on the page's profile: the id bidders get, and its atype (1 a browser, 3 a person). */
const ownEid = (w: Watched) =>
  w.page.evaluate(() =>
    window.udn
      .profile()
      .then(
        (p) =>
          ((p?.user as { eids?: { source: string; uids: { id: string; atype: number }[] }[] })?.eids ?? []).find(
            (e) => e.source === "udn.example",
          )?.uids[0],
      ),
  );

describe("a declared id", () => {
  it("joins two browsers into one reader's profile: car views from each count toward the same segment", async () => {
    const a = await demo(await browser.watch(site.edge.origin));
    second = await launchChromium("allow");
    const b = await demo(await watchPage(second, site.edge.origin));
    secondPages.push(b);

    // Two views in one browser, one in the other: three car views in all, but neither browser alone has 806.
    await readSuvReview(a, 2);
    await readSuvReview(b, 1);
    await expect.poll(() => a.page.evaluate(() => window.udn.segments()), POLL).toContain("244");
    await expect.poll(() => b.page.evaluate(() => window.udn.segments()), POLL).toContain("244");
    expect(await a.page.evaluate(() => window.udn.segments())).not.toContain("806");
    expect(await b.page.evaluate(() => window.udn.segments())).not.toContain("806");
    const browserIds = [(await ownEid(a))!.id, (await ownEid(b))!.id];
    expect(browserIds[0]).not.toBe(browserIds[1]);

    for (const w of [a, b]) {
      await w.page.getByRole("button", { name: "Sign in as this reader" }).click();
      await expect.poll(() => w.page.locator("#signin-result").textContent(), POLL).toMatch(/^signed in as demo\.reader@example\.com/);
    }
    // The second sign-in merged the second browser's view into the reader's: the page shows the person's profile.
    await expect.poll(() => segmentsShown(b), POLL).toContain("806");
    // And the next Prebid auction gives bidders the person's segments and id (atype 3), over the browser's cached ones.
    await expect
      .poll(() => b.page.locator("#bidders").textContent(), POLL)
      .toMatch(/alpha:\n.*udn\.example segtax 4: .*806.*\n {2}eids: udn\.example \(atype 3\)/);
    // The first browser reads the reader's profile at its next lookup.
    await a.page.reload();
    await tagLoaded(a.page);
    await expect.poll(() => segmentsShown(a), POLL).toContain("806");

    // Both are the person now: one id, atype 3, in both browsers' cookies and eids.
    const person = [await ownEid(a), await ownEid(b)];
    expect(person[0]).toEqual({ id: person[1]!.id, atype: 3 });
    expect(browserIds).not.toContain(person[0]!.id);
    const lastCookie = (w: Watched) => uidOf(idCookie(w.calls().at(-1)!.cookie) ?? "");
    expect([lastCookie(a), lastCookie(b)]).toEqual([person[0]!.id, person[0]!.id]);
    // Only the hash left the pages.
    for (const w of [a, b]) {
      const identify = w.calls().filter((c) => c.url.pathname === "/v1/identify");
      expect(identify.map((c) => [c.method, c.status])).toEqual([["POST", 200]]);
    }
  });

  it("refuses an address in the tag: the page's console says why, and nothing reaches the edge", async () => {
    const errors: string[] = [];
    const w = await browser.watch(site.edge.origin, [/^\[udn\] identify: send sha256_email, never the address; nothing sent/]);
    w.page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await w.page.goto(`${site.publisher.url}/tag-page.html`);
    await tagLoaded(w.page);
    await w.page.evaluate(() => window.udn.segments());
    const answers = await w.page.evaluate(async () => {
      const u = window.udn as unknown as { identify(id: unknown): Promise<boolean> };
      window.udn.push(["identify", { email: "jane@example.com" }] as never);
      return [await u.identify({ sha256_email: "jane@example.com" }), await u.identify({ ppid: "jane@example.com" })];
    });
    expect(answers).toEqual([false, false]);
    await expect.poll(() => errors.length, POLL).toBe(3);
    for (const e of errors) expect(e).not.toContain("jane");
    expect(w.calls().filter((c) => c.url.pathname === "/v1/identify")).toEqual([]);
  });
});
