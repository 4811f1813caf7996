/**
 * Hands accepted events to the event-log queue. Each isolate collects what its requests accepted for a
 * short window and sends it as one message, so the queue's per-queue message rate is not one per request.
 */
import type { Context } from "hono";
import type { UdnEvent } from "../../domain/event-input";
import { type EventLogGroup, type EventLogMessage, logSignals } from "../../domain/event-log-format";
import { errorText, logEvent } from "../../domain/log";
import type { AppEnv } from "../http/hono-env";
import { eventLog } from "../isolate";
import { requestSignals } from "../privacy/request-consent";
import { eventLogFlushMs } from "../settings";

/** Queue messages may be 128 KB; a group is at most one 16 KiB body plus its signals. */
const MAX_MESSAGE_BYTES = 96 * 1024;
const SEND_ATTEMPTS = 3;

const encoder = new TextEncoder();

async function send(env: Env, message: EventLogMessage): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await env.EVENT_LOG_QUEUE.send(message, { contentType: "json" });
      return;
    } catch (e) {
      if (attempt >= SEND_ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, 100 * 4 ** attempt));
    }
  }
}

/**
 * Adds a group to this isolate's open batch. Only the request that opened the batch waits for its send:
 * the timer and the send run in that request's context whoever waits, so later requests waiting too
 * would add no safety. And they must not: when the opener's promise settles, workerd hands each follower's
 * continuation back to the follower's own context, and drops it with a warning if that context has ended.
 */
export function enqueueGroup(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, group: EventLogGroup): void {
  const bytes = encoder.encode(JSON.stringify(group)).length;
  if (eventLog.open && eventLog.open.bytes + bytes > MAX_MESSAGE_BYTES) eventLog.open = null; // full: its timer sends it as it is
  let open = eventLog.open;
  if (!open) {
    const batch = { groups: [] as EventLogGroup[], bytes: 0 };
    open = eventLog.open = batch;
    ctx.waitUntil(
      new Promise((r) => setTimeout(r, eventLogFlushMs(env))).then(async () => {
        if (eventLog.open === batch) eventLog.open = null;
        try {
          await send(env, { groups: batch.groups });
        } catch (e) {
          logEvent("error", "event log send failed", { groups: batch.groups.length, error: errorText(e) });
        }
      }),
    );
  }
  open.groups.push(group);
  open.bytes += bytes;
}

/** Logs the events a browser request had accepted for `uid` (only ever called when the user may be stored). */
export function logEvents(c: Context<AppEnv>, uid: string, events: UdnEvent[]): void {
  const received = Date.now();
  enqueueGroup(c.env, c.executionCtx, { uid, received, signals: logSignals(c.get("consent")), events });
}

/** Logs an opt-out or erasure at once (awaited): the batch engine must drop the user too. */
export async function logPrivacyAction(env: Env, uid: string, type: "optout" | "erase", req?: Request): Promise<void> {
  const received = Date.now();
  const signals = req ? logSignals(requestSignals(req.url, req.headers.get("Sec-GPC") ?? undefined)) : {};
  await send(env, {
    groups: [{ uid, received, signals, events: [{ id: `${type}-${crypto.randomUUID()}`, type, ts: received, props: {} }] }],
  });
}
