/**
 * Hands accepted events to the event-log queue. Each isolate collects what its requests accepted for a
 * short window and sends it as one message, so the queue's per-queue message rate is not one per request.
 */
import type { EventLogGroup } from "../../domain/event-log-format";
import type { EventRetryMessage } from "../../domain/event-retry-message";
import { errorText, logEvent } from "../../domain/log";
import { sendEventLog } from "../../platform/event-log-queue";
import { eventLog } from "../isolate";
import { eventLogFlushMs } from "../settings";

/** Queue messages may be 128 KB; a group is at most one 16 KiB body plus its signals. */
const MAX_MESSAGE_BYTES = 96 * 1024;
const encoder = new TextEncoder();
/** Text with nothing but ASCII is as many bytes as characters: most groups, whose length needs no encoding then. */
const NON_ASCII = /[\u0080-\uffff]/;

function utf8Bytes(text: string): number {
  return NON_ASCII.test(text) ? encoder.encode(text).length : text.length;
}

/**
 * Adds a group to this isolate's open batch. Only the request that opened the batch waits for its send:
 * the timer and the send run in that request's context whoever waits, so later requests waiting too
 * would add no safety. And they must not: when the opener's promise settles, workerd hands each follower's
 * continuation back to the follower's own context, and drops it with a warning if that context has ended.
 */
export function enqueueGroup(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, group: EventLogGroup): void {
  const bytes = utf8Bytes(JSON.stringify(group));
  if (eventLog.open && eventLog.open.bytes + bytes > MAX_MESSAGE_BYTES) eventLog.open = null; // full: its timer sends it as it is
  let open = eventLog.open;
  if (!open) {
    const batch = { groups: [] as EventLogGroup[], bytes: 0 };
    open = eventLog.open = batch;
    ctx.waitUntil(
      new Promise((r) => setTimeout(r, eventLogFlushMs(env))).then(async () => {
        if (eventLog.open === batch) eventLog.open = null;
        try {
          await sendEventLog(env, { groups: batch.groups });
        } catch (e) {
          // The objects have taken these events: the batch engine must see them too, so the retry queue sends them later.
          logEvent("warn", "event log send failed; handed to the retry queue", { groups: batch.groups.length, error: errorText(e) });
          await env.EVENT_RETRY_QUEUE.send({ kind: "log", groups: batch.groups } satisfies EventRetryMessage).catch((f: unknown) =>
            logEvent("error", "events lost from the event log: log and retry queue both failed", {
              groups: batch.groups.length,
              error: errorText(f),
            }),
          );
        }
      }),
    );
  }
  open.groups.push(group);
  open.bytes += bytes;
}
