/** Erasure that stays erased: the event log after an erasure, late answers racing it, and opt-outs with their tiers down. */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { EventRetryMessage } from "../../domain/event-retry-message";
import type { QueueName } from "../../sync/queues";
import { signUid } from "../../worker/identity/signed-ids";
import worker from "../../worker/index";
import { profileCache } from "../../worker/isolate";
import { linesOf } from "../support/event-log-reader";
import { call, callWith, cookieFrom, postEvents, putSegments, S2S, view } from "../support/helpers";

const cookieOf = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;

/** A USER_PROFILE namespace whose objects cannot be reached. */
const objectsDown = {
  getByName: () => ({ erase: () => Promise.reject(new Error("injected: object unreachable")) }),
} as unknown as Env["USER_PROFILE"];
const queueDown = { send: () => Promise.reject(new Error("injected: queue unavailable")) } as unknown as Queue;

/** Resolves once the log holds a line of `uid` that `match` accepts; the log is written through a queue, so later. */
async function logged(uid: string, match: (l: { id: string; type: string }) => boolean): Promise<void> {
  await vi.waitFor(async () => expect((await linesOf(uid)).some(match)).toBe(true), { timeout: 20_000, interval: 250 });
}

async function knownUser(uid: string): Promise<string> {
  await putSegments();
  const cookie = await cookieOf(uid);
  expect((await postEvents(cookie, [view(`${uid}-before`, { url: "/cars/a" })])).status).toBe(202);
  expect(await env.PROFILES.get(`u:${uid}`)).not.toBeNull();
  return cookie;
}

async function consumeRetries(messages: unknown[]): Promise<string[]> {
  const batch = createMessageBatch(
    "udn-events-retry" satisfies QueueName,
    messages.map((body, i) => ({ id: `r-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return (await getQueueResult(batch, ctx)).explicitAcks;
}

describe("erasure reaches the event log", { timeout: 40_000 }, () => {
  it("logs nothing a browser still holding an erased id sends, while a bystander's events are logged", async () => {
    const uid = "G".repeat(22);
    const cookie = await knownUser(uid);
    expect((await call(`/v1/users/${uid}`, { method: "DELETE", headers: S2S })).status).toBe(200);
    expect((await postEvents(cookie, [view(`${uid}-after`, { url: "/cars/b" })])).status).toBe(202);
    // Sent after the erased browser's events: once its line is in, theirs would be too.
    const bystander = "H".repeat(22);
    await postEvents(await cookieOf(bystander), [view("later", {})]);
    await logged(bystander, (l) => l.id === "later");
    await logged(uid, (l) => l.type === "erase");
    expect((await linesOf(uid)).map((l) => l.id)).toEqual([`${uid}-before`, expect.stringMatching(/^erase-/)]);
  });

  it("the retry queue logs only what the object accepted, and still takes messages of the older shape", async () => {
    const erased = "I".repeat(22);
    const live = "J".repeat(22);
    await knownUser(erased);
    await call(`/v1/users/${erased}`, { method: "DELETE", headers: S2S });
    const group = (uid: string, id: string) => ({ uid, received: Date.now(), signals: {}, events: [view(id, { url: "/cars/c" })] });
    const acks = await consumeRetries([
      { kind: "events", group: group(erased, "retried"), provisional: false } satisfies EventRetryMessage,
      { kind: "events", group: group(live, "retried"), provisional: false } satisfies EventRetryMessage,
      { uid: live, events: [view("old-shape", { url: "/cars/d" })] },
    ]);
    expect(acks).toEqual(["r-0", "r-1", "r-2"]);
    expect(await env.USER_PROFILE.getByName(erased).current()).toMatchObject({ eventsSeen: 0, erased: true });
    expect(await env.USER_PROFILE.getByName(live).current()).toMatchObject({ eventsSeen: 2 });
    await logged(live, (l) => l.id === "old-shape");
    await logged(live, (l) => l.id === "retried");
    expect((await linesOf(erased)).some((l) => l.id === "retried")).toBe(false);
  });
});

describe("erasure cannot be undone in the isolate's cache", { timeout: 20_000 }, () => {
  it("a lookup whose KV read began before the erasure does not put the profile back", async () => {
    const uid = "K".repeat(22);
    const cookie = await knownUser(uid);
    profileCache.delete(uid);
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const reads = { n: 0 };
    // Reads the record now, answers later: a KV read racing the erasure.
    const slowKv = {
      async get(...args: Parameters<KVNamespace["get"]>) {
        const value = await (env.PROFILES.get as (...a: unknown[]) => Promise<unknown>)(...args);
        // Only the profile's read races; the context rules' read is not what this is about.
        if (!String(args[0]).startsWith("u:")) return value;
        reads.n++;
        await gate;
        return value;
      },
    } as unknown as KVNamespace;
    const lookup = callWith({ PROFILES: slowKv, KV_DEADLINE_MS: "5000" }, "/v1/segments", { headers: { Cookie: cookie } });
    await vi.waitFor(() => expect(reads.n).toBe(1));
    expect((await call(`/v1/users/${uid}`, { method: "DELETE", headers: S2S })).status).toBe(200);
    release();
    // The racing request answers what it read before the erasure; nothing after it does.
    expect(((await (await lookup).json()) as { segments: string[] }).segments.length).toBeGreaterThan(0);
    expect(profileCache.peek(uid, Date.now())).toEqual({ outcome: "hit", value: null });
    const after = await callWith({ PROFILES: slowKv }, "/v1/segments", { headers: { Cookie: cookie } });
    expect(await after.json()).toEqual({ segments: [], ts: 0 });
    expect(reads.n).toBe(1);
  });

  it("an event answer that arrives after the erasure does not put the profile back", async () => {
    await putSegments();
    const uid = "M".repeat(22);
    const cookie = await cookieOf(uid);
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let tracked = false;
    // The object applies the events at once, but its answer reaches the edge only after the erasure.
    const lateObjects = {
      getByName: (name: string) => ({
        track: async (...args: Parameters<DurableObjectStub<import("../../durable/user-profile").UserProfile>["track"]>) => {
          const r = await env.USER_PROFILE.getByName(name).track(...args);
          tracked = true;
          await gate;
          return r;
        },
      }),
    } as unknown as Env["USER_PROFILE"];
    const posting = callWith({ USER_PROFILE: lateObjects }, "/v1/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: cookie },
      body: JSON.stringify({ events: [view("m1", { url: "/cars/a" })] }),
    });
    await vi.waitFor(() => expect(tracked).toBe(true));
    expect((await call(`/v1/users/${uid}`, { method: "DELETE", headers: S2S })).status).toBe(200);
    release();
    expect((await posting).status).toBe(202);
    expect(profileCache.peek(uid, Date.now())).toEqual({ outcome: "hit", value: null });
    expect(await (await call("/v1/segments", { headers: { Cookie: cookie } })).json()).toEqual({ segments: [], ts: 0 });
  });
});

describe("opt-out never fails closed", { timeout: 40_000 }, () => {
  function optout(overrides: Partial<Env>, cookie: string) {
    return callWith(overrides, "/v1/optout", { method: "POST", headers: { Cookie: cookie } });
  }

  function expectOptedOutCookies(res: Response): void {
    const set = res.headers.getSetCookie();
    expect(set.find((c) => c.startsWith("udn_id="))).toMatch(/Max-Age=0/);
    expect(cookieFrom(res, "udn_optout")).toBe("udn_optout=1");
  }

  it("with the user's object down: clears the id, sets udn_optout, and the retry queue finishes the erasure and logs it", async () => {
    const uid = "N".repeat(22);
    const cookie = await knownUser(uid);
    const res = await optout({ USER_PROFILE: objectsDown }, cookie);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ optedOut: true, erasure: "queued" });
    expectOptedOutCookies(res);
    await vi.waitFor(async () => expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ erased: true }), {
      timeout: 20_000,
      interval: 250,
    });
    expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();
    await logged(uid, (l) => l.type === "optout");
  });

  it("with the event-log queue down: erases at once and queues the log line", async () => {
    const uid = "P".repeat(22);
    const cookie = await knownUser(uid);
    const res = await optout({ EVENT_LOG_QUEUE: queueDown }, cookie);
    expect(res.status).toBe(202);
    expectOptedOutCookies(res);
    expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ erased: true });
    await logged(uid, (l) => l.type === "optout");
  });

  it("with the object and the retry queue both down: 503 JSON, and the browser is still opted out", async () => {
    const uid = "Q".repeat(22);
    const cookie = await knownUser(uid);
    const res = await optout({ USER_PROFILE: objectsDown, EVENT_RETRY_QUEUE: queueDown }, cookie);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^opted out in this browser, but its stored data could not be erased now/,
    );
    expectOptedOutCookies(res);
    // The id is gone from this isolate's answers at once.
    expect(await (await call("/v1/segments", { headers: { Cookie: cookie } })).json()).toEqual({ segments: [], ts: 0 });
  });

  it("DELETE /v1/users/{uid} with the object down answers 202 and is finished by the retry queue", async () => {
    const uid = "R".repeat(22);
    await knownUser(uid);
    const res = await callWith({ USER_PROFILE: objectsDown }, `/v1/users/${uid}`, { method: "DELETE", headers: S2S });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ erased: false, queued: true });
    await vi.waitFor(async () => expect(await env.PROFILES.get(`u:${uid}`)).toBeNull(), { timeout: 20_000, interval: 250 });
    const both = await callWith({ USER_PROFILE: objectsDown, EVENT_RETRY_QUEUE: queueDown }, `/v1/users/${uid}`, {
      method: "DELETE",
      headers: S2S,
    });
    expect(both.status).toBe(503);
    expect(await both.json()).toEqual({ error: "the user could not be erased now, nor queued for erasure; retry" });
  });
});
