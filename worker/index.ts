/** The deployment's entry point: the edge app's fetch, the sync tier's queue and cron handlers, and the Durable Object classes. */
import { app } from "./app";
import { consumeEventRetries, EVENT_RETRY_QUEUE_NAME, type EventRetryMessage } from "./event-retry";
import { queue as syncQueue, scheduled } from "../sync/index";
import type { SliceMessage } from "../sync/manifest";

export { UserProfile } from "../durable/user-profile";
export { SyncCoordinator } from "../durable/sync-coordinator";

type QueueMessage = SliceMessage | EventRetryMessage;

export default {
  fetch: app.fetch,
  queue(batch: MessageBatch<QueueMessage>, env: Env, ctx: ExecutionContext) {
    if (batch.queue === EVENT_RETRY_QUEUE_NAME) return consumeEventRetries(batch as MessageBatch<EventRetryMessage>, env);
    return syncQueue(batch as MessageBatch<SliceMessage>, env, ctx);
  },
  scheduled,
} satisfies ExportedHandler<Env, QueueMessage>;
