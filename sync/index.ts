/** The sync tier's handlers: cron asks the coordinator for the next step; the queues verify parts, apply slices and write the event log. */
import { applySlice } from "./apply-slice";
import { coordinator } from "./coordinator-stub";
import { writeEventLog, type EventLogMessage } from "./event-log-writer";
import type { SyncMessage } from "./messages";
import { verifyPart } from "./verify-part";
import { errorText, logEvent } from "../worker/log";

export const SYNC_QUEUE_NAME = "udn-sync";
export const SYNC_DLQ_NAME = "udn-sync-dlq";
export const EVENT_LOG_QUEUE_NAME = "udn-events";
export const EVENT_LOG_DLQ_NAME = "udn-events-dlq";

export async function scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  await coordinator(env).tick();
}

async function runStep(env: Env, msg: SyncMessage): Promise<void> {
  if (msg.type === "verify") return verifyPart(env, msg);
  const coord = coordinator(env);
  const r = await applySlice(env, msg);
  if (r === "changed") await coord.partChanged(msg.version, msg.part);
  else await coord.sliceDone(msg, r);
}

async function consumeSync(batch: MessageBatch<SyncMessage>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    try {
      await runStep(env, msg.body);
      msg.ack();
    } catch (e) {
      const error = errorText(e);
      logEvent("error", "sync step failed", { step: msg.body.type, version: msg.body.version, part: msg.body.part, attempt: msg.attempts, error });
      await coordinator(env).stepFailed(msg.body, error).catch(() => {});
      msg.retry({ delaySeconds: Math.min(60, 2 ** msg.attempts) });
    }
  }
}

export async function queue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  switch (batch.queue) {
    case SYNC_QUEUE_NAME:
      return consumeSync(batch as MessageBatch<SyncMessage>, env);
    case SYNC_DLQ_NAME:
      for (const msg of (batch as MessageBatch<SyncMessage>).messages) {
        await coordinator(env).deadLetter(msg.body);
        msg.ack();
      }
      return;
    case EVENT_LOG_QUEUE_NAME:
    case EVENT_LOG_DLQ_NAME:
      return writeEventLog(batch as MessageBatch<EventLogMessage>, env);
    default:
      logEvent("error", "message from an unknown queue", { queue: batch.queue });
      batch.retryAll();
  }
}
