/** The retry path for events the edge could not hand to their user's object: a Queue, consumed with backoff. */
import type { UdnEvent } from "./event-input";
import { errorText, logEvent } from "./log";

export const EVENT_RETRY_QUEUE_NAME = "udn-events-retry";

export interface EventRetryMessage {
  uid: string;
  events: UdnEvent[];
}

/** Applies each message to its user's object; the object's dedupe by event id makes redelivery harmless. */
export async function consumeEventRetries(batch: MessageBatch<EventRetryMessage>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (msg) => {
      try {
        await env.USER_PROFILE.getByName(msg.body.uid).track(msg.body.uid, msg.body.events);
        msg.ack();
      } catch (e) {
        logEvent("error", "event retry failed", { attempt: msg.attempts, events: msg.body.events.length, error: errorText(e) });
        msg.retry({ delaySeconds: Math.min(300, 2 ** msg.attempts) });
      }
    }),
  );
}
