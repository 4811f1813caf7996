/** The per-isolate event-log batch: which request waits for its send, what one message carries, and where it goes when the log queue fails. */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { EventLogGroup, EventLogMessage } from "../../domain/event-log-format";
import type { EventRetryMessage } from "../../domain/event-retry-message";
import { enqueueGroup } from "../../worker/events/event-log";
import { linesOf } from "../support/event-log-reader";

const group = (uid: string, bytes = 10): EventLogGroup => ({
  uid,
  received: Date.now(),
  signals: {},
  events: [{ id: `${uid}-1`, type: "view", ts: Date.now(), props: { pad: "x".repeat(bytes) } }],
});

/** The real queue binding, with what was sent recorded. */
function recordingQueue(): { queue: Queue; sent: EventLogMessage[] } {
  const sent: EventLogMessage[] = [];
  const queue = {
    send(message: EventLogMessage, options?: QueueSendOptions) {
      sent.push(message);
      return env.EVENT_LOG_QUEUE.send(message, options);
    },
  };
  return { queue: queue as unknown as Queue, sent };
}

const queueDown = { send: () => Promise.reject(new Error("injected: queue unavailable")) } as unknown as Queue;

/** One request's context: counts what it hands to waitUntil, and keeps the promises to await. */
function requestCtx(handed: Promise<unknown>[]) {
  const ctx = {
    waits: 0,
    waitUntil(p: Promise<unknown>) {
      ctx.waits++;
      handed.push(p);
    },
  };
  return ctx;
}

describe("event log batch", () => {
  // Requests that followed the opener's promise had their continuations dropped by workerd, with a
  // cross-request warning, when their own context had ended first (thousands per soak window). So the
  // others only add their group: the opener's context runs the timer and the send in any case.
  it("leaves the send to the request that opened the batch, and sends every group in one message", async () => {
    const { queue, sent } = recordingQueue();
    const e = { ...env, EVENT_LOG_QUEUE: queue, EVENT_LOG_FLUSH_MS: "20" };
    const handed: Promise<unknown>[] = [];
    const ctxs = [0, 1, 2].map(() => requestCtx(handed));
    ctxs.forEach((ctx, i) => enqueueGroup(e, ctx, group(`b-${i}`)));
    expect(ctxs.map((c) => c.waits)).toEqual([1, 0, 0]);
    await Promise.all(handed);
    expect(sent.map((m) => m.groups.map((g) => g.uid))).toEqual([["b-0", "b-1", "b-2"]]);
  });

  it("lets the request that finds the batch full open the next one, and wait for that", async () => {
    const { queue, sent } = recordingQueue();
    const e = { ...env, EVENT_LOG_QUEUE: queue, EVENT_LOG_FLUSH_MS: "20" };
    const handed: Promise<unknown>[] = [];
    const ctxs = [0, 1, 2].map(() => requestCtx(handed));
    // Two of these fill a 96 KiB message.
    ctxs.forEach((ctx, i) => enqueueGroup(e, ctx, group(`f-${i}`, 40_000)));
    expect(ctxs.map((c) => c.waits)).toEqual([1, 0, 1]);
    await Promise.all(handed);
    expect(sent.map((m) => m.groups.map((g) => g.uid))).toEqual([["f-0", "f-1"], ["f-2"]]);
  });

  it("hands a batch the log queue refuses to the retry queue, whose consumer writes it to the log", { timeout: 30_000 }, async () => {
    const retried: EventRetryMessage[] = [];
    const retryQueue = {
      send(message: EventRetryMessage, options?: QueueSendOptions) {
        retried.push(message);
        return env.EVENT_RETRY_QUEUE.send(message, options);
      },
    } as unknown as Queue;
    const e = { ...env, EVENT_LOG_QUEUE: queueDown, EVENT_RETRY_QUEUE: retryQueue, EVENT_LOG_FLUSH_MS: "20" };
    const handed: Promise<unknown>[] = [];
    enqueueGroup(e, requestCtx(handed), group("r-0"));
    enqueueGroup(e, requestCtx(handed), group("r-1"));
    await Promise.all(handed);
    expect(retried).toEqual([{ kind: "log", groups: [expect.objectContaining({ uid: "r-0" }), expect.objectContaining({ uid: "r-1" })] }]);
    await vi.waitFor(async () => expect((await linesOf("r-1")).map((l) => l.id)).toEqual(["r-1-1"]), { timeout: 20_000, interval: 250 });
    expect((await linesOf("r-0")).map((l) => l.id)).toEqual(["r-0-1"]);
  });

  it("settles without throwing when the log queue and the retry queue both fail", async () => {
    const e = { ...env, EVENT_LOG_QUEUE: queueDown, EVENT_RETRY_QUEUE: queueDown, EVENT_LOG_FLUSH_MS: "20" };
    const handed: Promise<unknown>[] = [];
    enqueueGroup(e, requestCtx(handed), group("lost-0"));
    await expect(Promise.all(handed)).resolves.toBeDefined();
  });
});
