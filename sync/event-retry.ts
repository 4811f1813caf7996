/** The event-retry queue's consumer: events the edge could not hand to their user's object, applied with backoff. */
import type { EventRetryMessage } from "../domain/event-retry-message";
import { errorText, logEvent } from "../domain/log";
import { userProfile } from "../platform/stubs";

/** Applies each message to its user's object; the object's dedupe by event id makes redelivery harmless. */
export async function consumeEventRetries(batch: MessageBatch<EventRetryMessage>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (msg) => {
      try {
        await userProfile(env, msg.body.uid).track(msg.body.uid, msg.body.events);
        msg.ack();
      } catch (e) {
        logEvent("error", "event retry failed", { attempt: msg.attempts, events: msg.body.events.length, error: errorText(e) });
        msg.retry({ delaySeconds: Math.min(300, 2 ** msg.attempts) });
      }
    }),
  );
}
