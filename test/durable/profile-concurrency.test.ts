/** The user's object under concurrent, duplicate and out-of-order events, and the retry path when it is unreachable. */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import { callWith, putSegments } from "../support/helpers";

const DAY = 86_400_000;
/** One document for the whole file: objects see a new version only after their 10 s config refresh. */
const RULES = {
  version: 7,
  segments: [
    { id: "n500", name: "500 pings", ttl: "1d", rule: { event: "ping", min: 500, within: "1d" } },
    { id: "n501", name: "one ping too many", ttl: "1d", rule: { event: "ping", min: 501, within: "1d" } },
    { id: "t5", name: "5 ticks", ttl: "1d", rule: { event: "tick", min: 5, within: "1d" } },
    { id: "t6", name: "6 ticks", ttl: "1d", rule: { event: "tick", min: 6, within: "1d" } },
    { id: "o3", name: "3 tocks", ttl: "1d", rule: { event: "tock", min: 3, within: "1d" } },
    { id: "o4", name: "4 tocks", ttl: "1d", rule: { event: "tock", min: 4, within: "1d" } },
    { id: "r2", name: "2 retries", ttl: "1d", rule: { event: "retry", min: 2, within: "1d" } },
  ],
};
const ev =
  (type: string) =>
  (id: string, ts = Date.now()) => ({ id, type, ts, props: {} });
const ping = ev("ping");
const cookieOf = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;
/** The rate limits would refuse most of these bursts; what is tested here is the object behind them. */
const unlimited = { limit: async () => ({ success: true }) } as unknown as RateLimit;
const postEvents = (cookie: string, events: unknown[]) =>
  callWith({ EVENTS_PER_BROWSER: unlimited, EVENTS_PER_IP: unlimited }, "/v1/events", {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: cookie },
    body: JSON.stringify({ events }),
  });

// Hundreds of objects created at once on a shared 2-core machine: a harness timeout, not a speed claim.
describe("concurrency and ordering in the user's object", { timeout: 60_000 }, () => {
  it("applies 500 concurrent events for one user exactly once, duplicates included", async () => {
    await putSegments(RULES);
    const uid = "F".repeat(22);
    const cookie = await cookieOf(uid);
    const sends = Array.from({ length: 500 }, (_, i) => postEvents(cookie, [ping(`p${i}`)]));
    // The same ids again, concurrently with the originals: none may count twice.
    const dupes = Array.from({ length: 100 }, (_, i) => postEvents(cookie, [ping(`p${i * 5}`)]));
    const res = await Promise.all([...sends, ...dupes]);
    expect(res.every((r) => r.status === 202)).toBe(true);
    const p = await env.USER_PROFILE.getByName(uid).current();
    expect(p.eventsSeen).toBe(500);
    expect(p.segments.map((s) => s.id)).toEqual(["n500"]);
  });

  it("applies 500 events spread over 100 users exactly once each", async () => {
    await putSegments(RULES);
    const tick = ev("tick");
    const uids = Array.from({ length: 100 }, (_, i) => `G${String(i).padStart(21, "0")}`);
    const cookies = await Promise.all(uids.map(cookieOf));
    await Promise.all(cookies.flatMap((c, u) => Array.from({ length: 5 }, (_, i) => postEvents(c, [tick(`u${u}-e${i}`)]))));
    const profiles = await Promise.all(uids.map((u) => env.USER_PROFILE.getByName(u).current()));
    for (const p of profiles) {
      expect(p.eventsSeen).toBe(5);
      expect(p.segments.map((s) => s.id)).toEqual(["t5"]);
    }
  });

  it("counts out-of-order timestamps into their own windows, and future ones as now", async () => {
    await putSegments(RULES);
    const tock = ev("tock");
    const uid = "H".repeat(22);
    const stub = env.USER_PROFILE.getByName(uid);
    const now = Date.now();
    // Two days old: outside the 1d window, so it never counts; the rest arrive newest first.
    await stub.track(uid, [tock("late", now - 2 * DAY)]);
    await stub.track(uid, [tock("c", now), tock("b", now - 1000), tock("a", now - 2000)]);
    expect((await stub.current()).segments.map((s) => s.id)).toEqual(["o3"]);
    await stub.track(uid, [tock("future", now + 10 * DAY)]);
    expect((await stub.current()).segments.map((s) => s.id)).toEqual(["o3", "o4"]);
  });
});

describe("the retry path", () => {
  it("queues events whose object cannot be reached and applies them later through the queue", async () => {
    await putSegments(RULES);
    const retry = ev("retry");
    const uid = "J".repeat(22);
    const broken = {
      getByName: () => ({ track: () => Promise.reject(new Error("Durable Object is overloaded")) }),
    } as unknown as Env["USER_PROFILE"];
    const res = await callWith({ USER_PROFILE: broken }, "/v1/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: await cookieOf(uid) },
      body: JSON.stringify({ events: [retry("r1"), retry("r2")] }),
    });
    expect(res.status).toBe(202);
    await vi.waitFor(async () => expect((await env.USER_PROFILE.getByName(uid).current()).eventsSeen).toBe(2), {
      timeout: 10_000,
      interval: 100,
    });
    expect((await env.USER_PROFILE.getByName(uid).current()).segments.map((s) => s.id)).toEqual(["r2"]);
  });
});
