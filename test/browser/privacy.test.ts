/** Privacy in the browser: disallowed origins get no CORS access, opt-out from the page (Partitioned cookie included), consent from the page's CMP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gppUsPrivacyString, installGppCmp, installTcfCmp, tcString } from "./consent-fixtures";
import { controlCookies, startControlServer } from "./control-cookie-server";
import { chromiumPerTest, idCookie, POLL, type Publisher, publisherSite, startPublisher, tagLoaded, uidOf, type Watched } from "./harness";

const CONTROL = 8794;
const STRANGER = 8795;

let stranger: Publisher;
let control: Awaited<ReturnType<typeof startControlServer>>;
const site = publisherSite();
const browser = chromiumPerTest();

beforeAll(async () => {
  stranger = await startPublisher(STRANGER, site.edge.origin);
  control = await startControlServer(CONTROL);
});
afterAll(async () => {
  await Promise.all([stranger?.close(), control?.close()]);
});
async function open(url: string, allowConsole: RegExp[] = []): Promise<Watched> {
  const w = await browser.watch(site.edge.origin, allowConsole);
  await w.page.goto(url);
  await tagLoaded(w.page);
  return w;
}

/** Waits until `n` events have gone out and every body has been answered. */
async function allSent(w: Watched, n: number): Promise<void> {
  const events = () => w.beacons.reduce((sum, b) => sum + (JSON.parse(b.body) as { events: unknown[] }).events.length, 0);
  await expect.poll(events, POLL).toBe(n);
  await expect.poll(() => w.calls().filter((c) => c.method === "POST").length, POLL).toBe(w.beacons.length);
}

const threeCarViews = () => {
  for (let i = 0; i < 3; i++) window.udn.track("view", { category: "auto", url: "/cars/suv" });
};

describe("a page on a disallowed origin", () => {
  it("gets no CORS access: the tag answers empty, the page cannot read the edge, nothing throws", async () => {
    await browser.context("allow");
    // Chromium's own messages about the refused reads; the tag itself must stay silent.
    const w = await open(`${stranger.url}/tag-page.html`, [/has been blocked by CORS policy/, /Failed to load resource: net::ERR_FAILED/]);
    expect(await w.page.evaluate(() => window.udn.segments())).toEqual([]);
    expect(await w.page.evaluate(() => window.udn.gpt())).toEqual({});
    expect(await w.page.evaluate(() => window.udn.ortb2())).toEqual({ user: { data: [] } });
    const direct = await w.page.evaluate(
      (origin) =>
        fetch(`${origin}/v1/segments`, { credentials: "include" }).then(
          () => "read",
          () => "refused",
        ),
      site.edge.origin,
    );
    expect(direct).toBe("refused");
    // DevTools reports a call's headers on its own time, after the page may have seen the answer.
    const lookupCalls = () => w.calls().filter((c) => c.url.pathname === "/v1/segments");
    await expect.poll(() => lookupCalls().length, POLL).toBeGreaterThanOrEqual(4);
    const lookups = lookupCalls();
    for (const c of lookups) {
      expect(c.headers["access-control-allow-origin"]).toBeUndefined();
      expect(c.headers["access-control-allow-credentials"]).toBeUndefined();
    }
  });
});

describe("opting out from the publisher's page", () => {
  it("clears the Partitioned id, erases the user, and afterwards the browser gets nothing and stores nothing", async () => {
    // Third-party cookies blocked: the id lives only in the publisher's partition, out of reach of a visit to the edge.
    await browser.context("block");
    const w = await open(`${site.publisher.url}/tag-page.html`);
    await w.page.evaluate(threeCarViews);
    await expect.poll(() => w.page.evaluate(() => window.udn.segments()), POLL).toContain("806");
    const id = (await (await browser.context()).cookies(site.edge.origin)).find((c) => c.name === "udn_id")!;
    expect(id.partitionKey).toBe("http://localhost");
    const uid = uidOf(id.value);
    expect(await site.edge.kvKeys()).toContain(`u:${uid}`);

    expect(await w.page.evaluate(() => window.udn.optout())).toBe(true);
    const after = await (await browser.context()).cookies(site.edge.origin);
    expect(after.map((c) => [c.name, c.value, c.partitionKey])).toEqual([["udn_optout", "1", "http://localhost"]]);
    await expect.poll(() => site.edge.kvKeys(), POLL).toEqual(["cfg:segments"]);
    expect(await site.edge.segmentsOf(uid)).toEqual([]);

    // The next page view: the tag starts afresh, the browser's opt-out cookie speaks for it.
    const next = await open(`${site.publisher.url}/tag-page.html`);
    await next.page.evaluate(threeCarViews);
    await next.page.evaluate(() => window.udn.flush());
    expect(await next.page.evaluate(() => window.udn.segments())).toEqual([]);
    await allSent(next, 4);
    for (const c of next.calls().filter((c) => c.url.pathname !== "/v1/tag.js")) {
      expect(c.cookie, `${c.method} ${c.url.pathname}`).toBe("udn_optout=1");
      expect(c.setCookies, `${c.method} ${c.url.pathname}`).toEqual([]);
    }
    expect(await site.edge.kvKeys()).toEqual(["cfg:segments"]);
    expect((await (await browser.context()).cookies(site.edge.origin)).map((c) => c.name)).toEqual(["udn_optout"]);
    // Both pages did block third-party cookies (proved last: the control's cookies land on the edge's host too).
    for (const page of [w.page, next.page]) expect(await controlCookies(page, control.origin)).toBe("udn_ctlp=1");
  });
});

describe("consent from the page's CMP", () => {
  it("TCF: the TC string travels on every call, and a user who gave consent is identified", async () => {
    const tc = tcString(true);
    await installTcfCmp(await browser.context("allow"), tc);
    // A page with no event of its own: its first call is a lookup, then events, then the opt-out.
    const w = await open(`${site.publisher.url}/quiet-page.html`);
    expect(await w.page.evaluate(() => window.udn.segments())).toEqual([]);
    await w.page.evaluate(threeCarViews);
    await expect.poll(() => w.page.evaluate(() => window.udn.segments()), POLL).toContain("806");
    expect(await w.page.evaluate(() => window.udn.optout())).toBe(true);
    const toEdge = () => w.calls().filter((c) => c.url.pathname !== "/v1/tag.js");
    await expect
      .poll(() => new Set(toEdge().map((c) => `${c.method} ${c.url.pathname}`)), POLL)
      .toEqual(new Set(["POST /v1/events", "GET /v1/segments", "POST /v1/optout"]));
    const calls = toEdge();
    for (const c of calls) {
      expect(c.url.searchParams.get("gdpr"), c.url.pathname).toBe("1");
      expect(c.url.searchParams.get("gdpr_consent"), c.url.pathname).toBe(tc);
    }
    expect(idCookie(calls.at(-2)!.cookie)).toBeDefined();
  });

  it("TCF: a user who refused is not identified: no cookie, empty segments, the edge says why", async () => {
    await installTcfCmp(await browser.context("allow"), tcString(false));
    const w = await open(`${site.publisher.url}/tag-page.html`);
    await w.page.evaluate(threeCarViews);
    await w.page.evaluate(() => window.udn.flush());
    expect(await w.page.evaluate(() => window.udn.segments())).toEqual([]);
    await allSent(w, 4);
    for (const c of w.calls().filter((c) => c.url.pathname !== "/v1/tag.js")) {
      expect(c.url.searchParams.get("gdpr")).toBe("1");
      expect(c.setCookies).toEqual([]);
      expect(c.headers["x-udn-consent"]).toMatch(/^denied; /);
    }
    expect(await (await browser.context()).cookies(site.edge.origin)).toEqual([]);
    expect(await site.edge.kvKeys()).toEqual(["cfg:segments"]);
  });

  it("GPP: the string and its sections travel on every call once the CMP's signal is ready", async () => {
    const gpp = gppUsPrivacyString();
    await installGppCmp(await browser.context("allow"), gpp, [6]);
    const w = await open(`${site.publisher.url}/tag-page.html`);
    await w.page.evaluate(threeCarViews);
    await expect.poll(() => w.page.evaluate(() => window.udn.segments()), POLL).toContain("806");
    await expect.poll(() => w.calls().some((c) => c.method === "POST"), POLL).toBe(true);
    const calls = w.calls().filter((c) => c.url.pathname !== "/v1/tag.js");
    for (const c of calls) {
      expect(c.url.searchParams.get("gpp"), c.url.pathname).toBe(gpp);
      expect(c.url.searchParams.get("gpp_sid"), c.url.pathname).toBe("6");
    }
  });
});
