/** The deployment's entry point: the edge app's fetch, the sync tier's queue and cron handlers, and the Durable Object classes. */
import { app } from "./app";
import { queue, scheduled } from "../sync/index";

export { UserProfile } from "../durable/user-profile";
export { SyncCoordinator } from "../durable/sync-coordinator";

export default {
  fetch: app.fetch,
  queue,
  scheduled,
} satisfies ExportedHandler<Env>;
