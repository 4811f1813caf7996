/** The cron trigger: asks the coordinator for the next sync step (start a version, or move a running one on). */
import { coordinator } from "../platform/stubs";

export async function scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  await coordinator(env).tick();
}
