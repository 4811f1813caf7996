/** The deployment's entry point: the edge app's fetch, the queue and cron handlers, and the Durable Object classes. */
import { app } from "./app";
import { consumeEventRetries, EVENT_RETRY_QUEUE_NAME, type EventRetryMessage } from "./event-retry";
import { queue as syncQueue, scheduled } from "../sync/index";

export { UserProfile } from "../durable/user-profile";
export { SyncCoordinator } from "../durable/sync-coordinator";

export default {
  fetch: app.fetch,
  queue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext) {
    if (batch.queue === EVENT_RETRY_QUEUE_NAME) return consumeEventRetries(batch as MessageBatch<EventRetryMessage>, env);
    return syncQueue(batch, env, ctx);
  },
  scheduled,
} satisfies ExportedHandler<Env>;
