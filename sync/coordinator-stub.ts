/** The one SyncCoordinator instance every sync step talks to. */
import type { SyncCoordinator } from "../durable/sync-coordinator";

export function coordinator(env: Env): DurableObjectStub<SyncCoordinator> {
  return env.SYNC_COORDINATOR.getByName("global");
}
