/** The deployment's entry point: the edge's fetch (hot path, then the app), the queue and cron handlers, and the Durable Object classes. */
import { dispatchQueue } from "../sync/queues";
import { scheduled } from "../sync/scheduled";
import { app } from "./app";
import { hotFetch } from "./lookup/hot-path";

export { DeclaredId } from "../durable/declared-id";
export { SyncCoordinator } from "../durable/sync-coordinator";
export { UserProfile } from "../durable/user-profile";

export default {
  fetch(req: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const hot = hotFetch(req, env, ctx);
    if (hot === undefined) return app.fetch(req, env, ctx);
    return hot instanceof Response ? hot : hot.then((res) => res ?? app.fetch(req, env, ctx));
  },
  queue: (batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext) => dispatchQueue(batch, env),
  scheduled,
} satisfies ExportedHandler<Env>;
