/** Opt-outs and erasures, finished the same way by the edge and by the retry queue: the object erases, then the log records it. */
import { type PrivacyAction, privacyGroup } from "../domain/event-retry-message";
import { sendEventLog } from "./event-log-queue";
import { userProfile } from "./stubs";

/** Erases the user in their object (which deletes the KV record and keeps a tombstone) and logs the action; repeatable. */
export async function finishPrivacyAction(env: Env, action: PrivacyAction): Promise<void> {
  await userProfile(env, action.uid).erase(action.uid);
  await sendEventLog(env, { groups: [privacyGroup(action)] });
}
