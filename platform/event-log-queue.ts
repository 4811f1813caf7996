/** Sending to the event-log queue, for the edge's batches and for the retry consumer alike. */
import type { EventLogMessage } from "../domain/event-log-format";

const SEND_ATTEMPTS = 3;

/** Sends one message, trying a few times with a short backoff; throws when every try failed. */
export async function sendEventLog(env: Env, message: EventLogMessage): Promise<void> {
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
