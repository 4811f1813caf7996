/** Every queue this deployment consumes, and its consumer: the one place a queue's name is written in code (wrangler.toml binds them). */
import { logEvent } from "../domain/log";
import { writeEventLog } from "./event-log-writer";
import { consumeEventRetries } from "./event-retry";
import { consumeDeadSyncSteps, consumeSyncSteps } from "./sync-steps";

// Each consumer takes its own message type; the table forgets it, and the producer's binding type keeps it honest.
type Consumer = (batch: MessageBatch<never>, env: Env) => Promise<void>;

export const QUEUES = {
  /** Sync steps from the coordinator: verify a part, apply a slice. */
  "udn-sync": consumeSyncSteps,
  "udn-sync-dlq": consumeDeadSyncSteps,
  /** Accepted events, opt-outs and erasures, written to the EVENTS bucket. */
  "udn-events": writeEventLog,
  /** Batches that could not be written in their tries get more here, by the same writer. */
  "udn-events-dlq": writeEventLog,
  /** Events whose user object could not be reached at once. */
  "udn-events-retry": consumeEventRetries,
} satisfies Record<string, Consumer>;

export type QueueName = keyof typeof QUEUES;

export async function dispatchQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // Own keys only: a name such as `constructor` must not reach Object's prototype.
  const consumer: Consumer | undefined = Object.hasOwn(QUEUES, batch.queue) ? QUEUES[batch.queue as QueueName] : undefined;
  if (consumer) return consumer(batch as MessageBatch<never>, env);
  logEvent("error", "message from an unknown queue", { queue: batch.queue });
  batch.retryAll();
}
