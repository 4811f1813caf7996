/** The event-retry queue's consumer: events, opt-outs and erasures the edge could not finish with a user's object, and log batches it could not send, finished with backoff. */
import { type EventRetryMessage, retryMessage } from "../domain/event-retry-message";
import { errorText, logEvent } from "../domain/log";
import { sendEventLog } from "../platform/event-log-queue";
import { finishPrivacyAction } from "../platform/privacy-actions";
import { userProfile } from "../platform/stubs";

/** Events go to the object, then to the log only if it accepted them; redelivery is harmless (the object dedupes by id, the batch engine by uid and id). */
async function finish(env: Env, m: EventRetryMessage): Promise<void> {
  if (m.kind === "log") return sendEventLog(env, { groups: m.groups });
  if (m.kind !== "events") return finishPrivacyAction(env, m);
  const { uid, events } = m.group;
  const r = await userProfile(env, uid).track(uid, events, { provisional: m.provisional });
  if (!r.erased) await sendEventLog(env, { groups: [m.group] });
}

export async function consumeEventRetries(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (msg) => {
      const m = retryMessage(msg.body, Date.now());
      try {
        await finish(env, m);
        msg.ack();
      } catch (e) {
        logEvent("error", "event retry failed", { kind: m.kind, attempt: msg.attempts, error: errorText(e) });
        msg.retry({ delaySeconds: Math.min(300, 2 ** msg.attempts) });
      }
    }),
  );
}
