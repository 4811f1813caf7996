/** The sync queue's consumers: each message verifies a part or applies a slice; dead steps go back to the coordinator. */
import { errorText, logEvent } from "../domain/log";
import type { SyncMessage } from "../domain/sync-messages";
import { coordinator } from "../platform/stubs";
import { applySlice } from "./apply-slice";
import { verifyPart } from "./verify-part";

async function runStep(env: Env, msg: SyncMessage): Promise<void> {
  if (msg.type === "verify") return verifyPart(env, msg);
  const coord = coordinator(env);
  const r = await applySlice(env, msg);
  if (r === "changed") await coord.partChanged(msg.version, msg.part);
  else await coord.sliceDone(msg, r);
}

export async function consumeSyncSteps(batch: MessageBatch<SyncMessage>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    try {
      await runStep(env, msg.body);
      msg.ack();
    } catch (e) {
      const error = errorText(e);
      logEvent("error", "sync step failed", {
        step: msg.body.type,
        version: msg.body.version,
        part: msg.body.part,
        attempt: msg.attempts,
        error,
      });
      await coordinator(env)
        .stepFailed(msg.body, error)
        .catch(() => {});
      msg.retry({ delaySeconds: Math.min(60, 2 ** msg.attempts) });
    }
  }
}

/** Steps that exhausted their retries: recorded in the sync status (re-driven by POST /v1/admin/sync), then acknowledged. */
export async function consumeDeadSyncSteps(batch: MessageBatch<SyncMessage>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    await coordinator(env).deadLetter(msg.body);
    msg.ack();
  }
}
