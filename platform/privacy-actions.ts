/** Opt-outs and erasures, finished the same way by the edge and by the retry queue: the object erases, then the log records it. */
import { type PrivacyAction, privacyGroup } from "../domain/event-retry-message";
import { sendEventLog } from "./event-log-queue";
import { userProfile } from "./stubs";

/**
 * Erases the user in their object (which deletes the KV record and aliases, keeps a tombstone, and reaches the person
 * and browsers joined to it) and logs the action for every uid it erased; repeatable.
 */
export async function finishPrivacyAction(env: Env, action: PrivacyAction): Promise<void> {
  const erased = await userProfile(env, action.uid).erase(action.uid);
  await sendEventLog(env, { groups: erased.map((uid) => privacyGroup({ ...action, uid })) });
}
