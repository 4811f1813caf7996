/** `udn.identify()` on a stand-in page: what it sends (and refuses to), with the page's consent, and the page's profile becoming the person's. */
import { describe, expect, it, vi } from "vitest";
import { createApi } from "../../tag/udn-api";

const EDGE = "https://edge.example";
const HEX = "0123456789abcdef".repeat(4);

interface Sent {
  method: string;
  url: URL;
  body?: string;
  credentials?: string;
}

/** A request the test answers by hand. */
function pending() {
  let answer!: (body: unknown) => void;
  const promise = new Promise<Response>((resolve) => {
    answer = (body) => resolve(Response.json(body));
  });
  return { promise, answer };
}

/**
 * A page with the tag's API on it: `answer` gives the edge's answer to each request (a body, or a pending request);
 * `cmp` is the page's TCF CMP, if it has one.
 */
function page(answer: (s: Sent) => unknown, cmp?: { tcString: string }) {
  const sent: Sent[] = [];
  const events = new EventTarget();
  const profiles: unknown[] = [];
  events.addEventListener("udn:profile", (e) => profiles.push((e as CustomEvent).detail));
  const win = {
    navigator: {},
    location: { href: "https://pub.example/article" },
    document: { querySelector: () => null, documentElement: { lang: "" }, addEventListener() {}, visibilityState: "visible" },
    fetch: (u: string, init: RequestInit = {}) => {
      const s: Sent = {
        method: init.method ?? "GET",
        url: new URL(u),
        body: init.body as string | undefined,
        credentials: init.credentials,
      };
      sent.push(s);
      const a = answer(s);
      return a instanceof Promise ? a : Promise.resolve(Response.json(a));
    },
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    addEventListener: events.addEventListener.bind(events),
    dispatchEvent: events.dispatchEvent.bind(events),
    __tcfapi: cmp
      ? (_c: string, _v: number, cb: (d: unknown, ok: boolean) => void) =>
          cb({ eventStatus: "tcloaded", gdprApplies: true, tcString: cmp.tcString }, true)
      : undefined,
  };
  const warn = vi.fn();
  const api = createApi(EDGE, win as never, warn);
  return { api, sent, warn, profiles };
}

const anonymous = { segments: ["244"], ts: 2_000, user: { data: [] } };
/** The person's profile: older than the browser's anonymous one, as a profile last changed on another device is. */
const person = { segments: ["806"], ts: 1_000, user: { data: [] } };

describe("udn.identify()", () => {
  it("refuses an address in the tag: nothing is sent, and the page's console gets an error, not the address", async () => {
    const p = page(() => anonymous);
    for (const id of [{ email: "jane@example.com" }, { sha256_email: "jane@example.com" }, { ppid: "jane@example.com" }]) {
      expect(await p.api.identify(id)).toBe(false);
    }
    expect(p.sent).toEqual([]);
    expect(p.warn).toHaveBeenCalledTimes(3);
    for (const [message, detail, error] of p.warn.mock.calls) {
      expect(message).toBe("identify: send sha256_email, never the address; nothing sent");
      expect(detail).toBeUndefined();
      expect(error).toBe(true);
    }
  });

  it("refuses a malformed id without sending it", async () => {
    const p = page(() => anonymous);
    expect(await p.api.identify({ sha256_email: "abc" })).toBe(false);
    expect(await p.api.identify({ ppid: "a b" })).toBe(false);
    expect(p.sent).toEqual([]);
    expect(p.warn.mock.calls.map((c) => c[0])).toEqual([
      "identify: pass {sha256_email: 64 hex characters} or {ppid}; nothing sent",
      "identify: pass {sha256_email: 64 hex characters} or {ppid}; nothing sent",
    ]);
  });

  it("posts the lower-cased hash as a text body, credentialed, with the page's consent parameters", async () => {
    const p = page((s) => (s.url.pathname === "/v1/identify" ? { identified: true } : person), { tcString: "CQabc" });
    expect(await p.api.identify({ sha256_email: HEX.toUpperCase() })).toBe(true);
    const post = p.sent.find((s) => s.url.pathname === "/v1/identify")!;
    expect(post).toMatchObject({ method: "POST", body: `{"sha256_email":"${HEX}"}`, credentials: "include" });
    expect(Object.fromEntries(post.url.searchParams)).toEqual({ gdpr: "1", gdpr_consent: "CQabc" });
    expect(post.url.origin).toBe(EDGE);
    expect(p.warn).not.toHaveBeenCalled();
  });

  it("runs from the page's queue like every other command", async () => {
    const p = page((s) => (s.url.pathname === "/v1/identify" ? { identified: true } : person));
    p.api.push(["identify", { ppid: "reader-42" }]);
    await vi.waitFor(() => expect(p.sent.map((s) => s.url.pathname)).toContain("/v1/identify"));
    expect(p.sent.find((s) => s.url.pathname === "/v1/identify")!.body).toBe('{"ppid":"reader-42"}');
  });

  it("once identified, looks the browser up again: segments and ortb2 are the person's, even an older profile", async () => {
    const p = page((s) => (s.url.pathname === "/v1/identify" ? { identified: true } : p.sent.length > 1 ? person : anonymous));
    expect(await p.api.segments()).toEqual(["244"]);
    expect(await p.api.identify({ sha256_email: HEX })).toBe(true);
    expect(p.sent.map((s) => `${s.method} ${s.url.pathname}`)).toEqual(["GET /v1/segments", "POST /v1/identify", "GET /v1/segments"]);
    expect(await p.api.segments()).toEqual(["806"]);
    expect(p.profiles).toEqual([anonymous, person]);
    // The page's one profile serves later calls again: no further lookup.
    await p.api.ortb2();
    expect(p.sent).toHaveLength(3);
  });

  it("keeps the page's profile when the edge did not identify the browser (no consent, opted out, erased)", async () => {
    const p = page((s) => (s.url.pathname === "/v1/identify" ? { identified: false } : anonymous));
    expect(await p.api.segments()).toEqual(["244"]);
    expect(await p.api.identify({ ppid: "reader-42" })).toBe(false);
    expect(await p.api.segments()).toEqual(["244"]);
    expect(p.sent.map((s) => s.url.pathname)).toEqual(["/v1/segments", "/v1/identify"]);
  });

  it("answers false when the edge refuses or cannot be reached", async () => {
    const p = page((s) => (s.url.pathname === "/v1/identify" ? Promise.reject(new TypeError("Failed to fetch")) : anonymous));
    expect(await p.api.identify({ ppid: "reader-42" })).toBe(false);
    const q = page(() => Promise.resolve(new Response("Too Many Requests", { status: 429 })));
    expect(await q.api.identify({ ppid: "reader-42" })).toBe(false);
  });

  it("drops an answer for the browser's old profile that arrives after the person's", async () => {
    const events = pending();
    const p = page((s) =>
      s.url.pathname === "/v1/events" ? events.promise : s.url.pathname === "/v1/identify" ? { identified: true } : person,
    );
    // The page's first contact: a lookup, answered before anything else goes.
    await p.api.profile();
    p.api.track("view", { category: "auto" });
    p.api.flush();
    expect(await p.api.identify({ ppid: "reader-42" })).toBe(true);
    // The events body went out with the old cookie; its answer (a newer version of the anonymous profile) comes last.
    events.answer({ accepted: 1, profile: { ...anonymous, ts: 3_000 } });
    await new Promise((r) => setTimeout(r, 10));
    expect(await p.api.segments()).toEqual(["806"]);
  });

  it("sends nothing once the browser has opted out from this page", async () => {
    const p = page((s) => (s.url.pathname === "/v1/optout" ? {} : anonymous));
    expect(await p.api.optout()).toBe(true);
    expect(await p.api.identify({ ppid: "reader-42" })).toBe(false);
    expect(p.sent.map((s) => s.url.pathname)).toEqual(["/v1/optout"]);
  });
});
