/** The deployment's entry point: the edge's fetch (hot path, then the app), the queue and cron handlers, and the Durable Object classes. */
import { app } from "./app";
import { hotFetch } from "./hot-path";
import { consumeEventRetries, EVENT_RETRY_QUEUE_NAME, type EventRetryMessage } from "./event-retry";
import { queue as syncQueue, scheduled } from "../sync/index";

export { UserProfile } from "../durable/user-profile";
export { SyncCoordinator } from "../durable/sync-coordinator";

export default {
  fetch(req: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const hot = hotFetch(req, env, ctx);
    if (hot === undefined) return app.fetch(req, env, ctx);
    return hot instanceof Response ? hot : hot.then((res) => res ?? app.fetch(req, env, ctx));
  },
  queue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext) {
    if (batch.queue === EVENT_RETRY_QUEUE_NAME) return consumeEventRetries(batch as MessageBatch<EventRetryMessage>, env);
    return syncQueue(batch, env, ctx);
  },
  scheduled,
} satisfies ExportedHandler<Env>;
