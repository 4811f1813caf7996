/** The parts of a browser test: the built Worker in Miniflare, a publisher's pages on another site, Chromium driven by playwright-core. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Miniflare } from "miniflare";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import { host } from "../../bench/miniflare-host.mjs";
import demoSegments from "../../demo/segments.json";
import { OUT as PREBID_BUNDLE } from "../../scripts/build-prebid.mjs";
import { servePublisher } from "../../scripts/publisher-server.mjs";
import { WORKER_SCRIPT } from "./paths";

const SECRETS = Object.fromEntries(
  [...readFileSync(".dev.vars.example", "utf8").matchAll(/^([A-Z_]+)="?(.*?)"?$/gm)].map((m) => [m[1]!, m[2]!]),
);
export const ADMIN = { Authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` };
export const S2S = { Authorization: `Bearer ${SECRETS.API_KEYS!.split(",")[0]}` };
export const PAGES = "test/browser/pages";
/** Where the Prebid bundle the global setup builds (with our module and the demo's bid adapters) is served from, as /prebid.js. */
const PREBID_DIR = dirname(PREBID_BUNDLE);

export interface Edge {
  origin: string;
  mf: Miniflare;
  /** The user's segments as a bidder would get them (S2S). */
  segmentsOf(uid: string): Promise<string[]>;
  /** Every key in the PROFILES namespace. */
  kvKeys(): Promise<string[]>;
  close(): Promise<void>;
}

/** The built Worker in Miniflare on a loopback port, with the demo rules loaded. */
export async function startEdge(port: number, vars: Record<string, string>): Promise<Edge> {
  const h = await host(WORKER_SCRIPT, { port, bindings: vars });
  const origin = h.url.origin;
  const rules = await fetch(`${origin}/v1/admin/segments`, { method: "PUT", headers: ADMIN, body: JSON.stringify(demoSegments) });
  if (!rules.ok) throw new Error(`loading rules failed: ${rules.status} ${await rules.text()}`);
  return {
    origin,
    mf: h.mf,
    async segmentsOf(uid) {
      const res = await fetch(`${origin}/v1/users/${uid}/segments`, { headers: S2S });
      return ((await res.json()) as { segments: string[] }).segments;
    },
    async kvKeys() {
      // Miniflare's own typing of the namespace is loose; this is the one call used.
      const kv = (await h.mf.getKVNamespace("PROFILES")) as unknown as { list(): Promise<{ keys: { name: string }[] }> };
      return (await kv.list()).keys.map((k) => k.name);
    },
    close: () => h.dispose(),
  };
}

/** How long and how often a test polls the page or the edge for what it expects. */
export const POLL = { timeout: 10_000, interval: 200 };

/** A publisher's site: the test pages (and the demo) on `http://localhost:<port>`, loading the tag from `edge`. */
export function startPublisher(port: number, edge: string) {
  return servePublisher({ roots: [PAGES, "demo/publisher", PREBID_DIR], edge, port });
}

export type Publisher = Awaited<ReturnType<typeof startPublisher>>;

export interface PublisherSite {
  edge: Edge;
  publisher: Publisher;
}

/**
 * A test file's usual servers: the edge allowing the publisher's origin (its `udn_id` cookie Partitioned unless told
 * otherwise), and the publisher's pages loading the tag from it; started before the file's tests, closed after them.
 * Call it before the file's own `beforeAll`, which may then use both.
 */
export function publisherSite({ edge = 8790, publisher = 8792, partitioned = true } = {}): PublisherSite {
  const site = {} as PublisherSite;
  beforeAll(async () => {
    site.edge = await startEdge(edge, { ALLOWED_ORIGINS: `http://localhost:${publisher}`, COOKIE_PARTITIONED: String(partitioned) });
    site.publisher = await startPublisher(publisher, site.edge.origin);
  });
  afterAll(async () => {
    await site.publisher?.close();
    await site.edge?.close();
  });
  return site;
}

export type ThirdPartyCookies = "allow" | "block";

export interface LaunchedChromium {
  context: BrowserContext;
  /** What every page watched in this browser gets (see watchPage). */
  thirdPartyCookies: ThirdPartyCookies;
  close(): Promise<void>;
}

/**
 * The Chromium the global setup chose, with a fresh profile. The profile allows third-party cookies
 * (`profile.cookie_controls_mode: 0`): Debian's Chromium honours that and blocks them by default without
 * it; the packaged shell ignores it and allows them anyway. Blocking is done per page through DevTools,
 * the one way that works in both (see watchPage); the tests prove each mode with a control cookie.
 */
export async function launchChromium(thirdPartyCookies: ThirdPartyCookies): Promise<LaunchedChromium> {
  const chosen = inject("chromium");
  const dir = mkdtempSync(join(tmpdir(), "udn-chromium-"));
  mkdirSync(join(dir, "Default"));
  writeFileSync(join(dir, "Default", "Preferences"), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chosen.path,
    env: { ...process.env, ...chosen.env },
    headless: true,
    timeout: 30_000,
    // Root needs --no-sandbox; the rest keep Chromium off the (closed) network. @sparticuz/chromium's suggested
    // `args` are for serverless hosts (--single-process among them) and are not used.
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  context.setDefaultTimeout(10_000);
  return {
    context,
    thirdPartyCookies,
    async close() {
      await context.close();
      // Chromium's last writes can trail its exit by a moment.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

export interface EdgeCall {
  method: string;
  url: URL;
  /** The Cookie header the browser sent. */
  cookie: string;
  status: number;
  setCookies: string[];
  headers: Record<string, string>;
  /** Set-Cookie lines Chromium refused to store, with its reasons ("UserPreferences": third-party cookies blocked). */
  refused: { name: string; reasons: string[] }[];
  /** Chromium's reason when the request failed (a CORS refusal, say). */
  failed?: string;
}

export interface Watched {
  page: Page;
  /** Page errors, console errors and tag warnings: every test ends expecting none. */
  problems: string[];
  /** Requests to the edge that have been answered (or failed), in the order they started. */
  calls(): EdgeCall[];
  /** Event bodies as sent (sendBeacon bodies read through DevTools: Playwright shows them as null). */
  beacons: { url: URL; contentType: string; body: string }[];
}

/**
 * A new page in `browser`, its third-party cookies allowed or blocked as the browser was launched for,
 * watched for errors and for its traffic to `edgeOrigin`. Open every page through here: the setting
 * belongs to the page's DevTools session, so a page opened otherwise (a popup too) does not have it.
 * @param allowConsole console errors (and tag warnings) the test expects: Chromium's own CORS message, say
 */
export async function watchPage(browser: LaunchedChromium, edgeOrigin: string, allowConsole: RegExp[] = []): Promise<Watched> {
  const page = await browser.context.newPage();
  const w: Watched = { page, problems: [], calls: () => [], beacons: [] };
  // Frames within the page share its session and its setting; a popup would have neither.
  page.on("popup", (p) => w.problems.push(`popup ${p.url()}: opened without the third-party-cookie setting`));
  page.on("pageerror", (e) => w.problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    if (m.type() === "error" && !allowConsole.some((r) => r.test(text))) w.problems.push(`console.error: ${text}`);
    if (m.type() === "warning" && text.startsWith("[udn]") && !allowConsole.some((r) => r.test(text)))
      w.problems.push(`tag warning: ${text}`);
  });
  // Edge traffic through DevTools: Playwright reports beacons incompletely (no body, and not always a finish).
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Network.enable");
  // Third-party cookies: the restriction is forced on in "block" mode and explicitly off in "allow" mode, where
  // the profile allows them (DevTools can add a block, not lift the profile's). Chromium applies it to documents
  // loaded after the call (this page is still blank) and only while this session has Network enabled. The two
  // exemption flags are not in playwright-core's protocol typings; false keeps Chromium's usual exemptions.
  const cookieControls = {
    enableThirdPartyCookieRestriction: browser.thirdPartyCookies === "block",
    disableThirdPartyCookieMetadata: false,
    disableThirdPartyCookieHeuristics: false,
  };
  await cdp.send("Network.setCookieControls", cookieControls);
  let bodies = Promise.resolve();
  const seen = new Map<string, Partial<EdgeCall> & { started: number; sentHeaders?: boolean; answered?: boolean }>();
  const entry = (id: string) => seen.get(id) ?? seen.set(id, { started: Infinity }).get(id)!;
  const header = (headers: Record<string, string>, name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  cdp.on("Network.requestWillBeSent", (e) => {
    if (!e.request.url.startsWith(edgeOrigin)) return;
    Object.assign(entry(e.requestId), { started: e.timestamp, method: e.request.method, url: new URL(e.request.url) });
    if (e.request.method !== "POST" || !e.request.url.startsWith(`${edgeOrigin}/v1/events`)) return;
    const contentType = header(e.request.headers, "content-type") ?? "";
    // Bodies are read one after another so that `beacons` keeps the order they were sent in.
    bodies = bodies
      .then(() => cdp.send("Network.getRequestPostData", { requestId: e.requestId }))
      .then((d) => void w.beacons.push({ url: new URL(e.request.url), contentType, body: d.postData }))
      // A body still being read when the test closes the browser is no finding.
      .catch(
        (err: unknown) => void (/has been closed/.test(String(err)) || w.problems.push(`could not read an event body: ${String(err)}`)),
      );
  });
  // Raw headers, as sent and received: the Cookie and Set-Cookie lines included.
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
    Object.assign(entry(e.requestId), { cookie: header(e.headers, "cookie") ?? "", sentHeaders: true });
  });
  cdp.on("Network.responseReceivedExtraInfo", (e) => {
    const headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const setCookies = (headers["set-cookie"] ?? "").split("\n").filter(Boolean);
    const refused = e.blockedCookies.map((b) => ({ name: b.cookie?.name ?? b.cookieLine.split("=")[0]!, reasons: b.blockedReasons }));
    Object.assign(entry(e.requestId), { status: e.statusCode, headers, setCookies, refused, answered: true });
  });
  cdp.on("Network.loadingFailed", (e) => {
    if (seen.has(e.requestId)) Object.assign(entry(e.requestId), { failed: e.errorText });
  });
  w.calls = () =>
    [...seen.values()]
      .filter((c) => c.url && c.sentHeaders && (c.answered || c.failed))
      .sort((a, b) => a.started - b.started)
      .map((c) => ({
        method: c.method!,
        url: c.url!,
        cookie: c.cookie ?? "",
        status: c.status ?? 0,
        setCookies: c.setCookies ?? [],
        headers: c.headers ?? {},
        refused: c.refused ?? [],
        failed: c.failed,
      }));
  return w;
}

/** The `udn_id` value a call's Cookie header carried, if any. */
export function idCookie(cookieHeader: string): string | undefined {
  return /(?:^|;\s*)udn_id=([^;]+)/.exec(cookieHeader)?.[1];
}

/** The uid inside a signed `udn_id` value. */
export const uidOf = (cookieValue: string) => cookieValue.split(".")[0]!;

/** Waits until the tag has replaced the page's queue with its API. */
export async function tagLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof (window as unknown as { udn?: { track?: unknown } }).udn?.track === "function");
}

/**
 * One Chromium per test, launched on first use with its third-party-cookie setting and closed after the
 * test; any page error, console error or tag warning a watched page saw fails the test it happened in.
 * Without a setting, the first use allows third-party cookies and later ones take what was launched.
 */
export function chromiumPerTest() {
  let browser: LaunchedChromium | undefined;
  let watched: Watched[] = [];
  afterEach(async () => {
    const pages = watched;
    watched = [];
    await browser?.close();
    browser = undefined;
    for (const w of pages) expect(w.problems).toEqual([]);
  });
  const launched = async (thirdPartyCookies?: ThirdPartyCookies) => {
    browser ??= await launchChromium(thirdPartyCookies ?? "allow");
    if (thirdPartyCookies && thirdPartyCookies !== browser.thirdPartyCookies) {
      throw new Error(
        `this test's Chromium was launched to ${browser.thirdPartyCookies} third-party cookies, not to ${thirdPartyCookies} them`,
      );
    }
    return browser;
  };
  return {
    async context(thirdPartyCookies?: ThirdPartyCookies): Promise<BrowserContext> {
      return (await launched(thirdPartyCookies)).context;
    },
    async watch(edgeOrigin: string, allowConsole: RegExp[] = [], thirdPartyCookies?: ThirdPartyCookies): Promise<Watched> {
      const w = await watchPage(await launched(thirdPartyCookies), edgeOrigin, allowConsole);
      watched.push(w);
      return w;
    },
  };
}
