/** The sync tier's handlers: cron finds a new batch version and fans it out; the queue consumer applies slices. */
import { MANIFEST_KEY, parseManifest, sliceManifest, type SliceMessage } from "./manifest";
import { applySlice } from "./apply-slice";
import { errorText, logEvent } from "../worker/log";

export const SYNC_QUEUE_NAME = "udn-sync";
export const SYNC_DLQ_NAME = "udn-sync-dlq";
/** Queue's sendBatch takes at most 100 messages. */
const SEND_BATCH = 100;

export function coordinator(env: Env): DurableObjectStub<import("../durable/sync-coordinator").SyncCoordinator> {
  return env.SYNC_COORDINATOR.getByName("global");
}

export type SyncOutcome = { version: number | null; outcome: "start" | "running" | "queued" | "stale" | "no-manifest"; slices: number };

/** Reads the manifest and, if its version is new and nothing else runs, enqueues its slices. */
export async function startSync(env: Env): Promise<SyncOutcome> {
  const obj = await env.ORIGIN.get(MANIFEST_KEY);
  if (!obj) return { version: null, outcome: "no-manifest", slices: 0 };
  const manifest = parseManifest(await obj.json());
  const slices = sliceManifest(manifest);
  const coord = coordinator(env);
  const outcome = await coord.begin(manifest.version, manifest.kind, slices.length);
  if (outcome !== "start") return { version: manifest.version, outcome, slices: 0 };
  try {
    for (let i = 0; i < slices.length; i += SEND_BATCH) {
      await env.SYNC_QUEUE.sendBatch(slices.slice(i, i + SEND_BATCH).map((body) => ({ body })));
    }
  } catch (e) {
    await coord.abandon(manifest.version);
    throw e;
  }
  logEvent("log", "sync started", { version: manifest.version, kind: manifest.kind, slices: slices.length });
  return { version: manifest.version, outcome, slices: slices.length };
}

export async function scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  await startSync(env);
}

export async function queue(batch: MessageBatch<SliceMessage>, env: Env, _ctx: ExecutionContext): Promise<void> {
  const coord = coordinator(env);
  if (batch.queue === SYNC_DLQ_NAME) {
    for (const msg of batch.messages) {
      await coord.deadLetter(msg.body);
      msg.ack();
    }
    return;
  }
  // Slices run one after another: each already keeps APPLY_CONCURRENCY object calls in flight.
  for (const msg of batch.messages) {
    try {
      const r = await applySlice(env, msg.body);
      await coord.sliceDone(msg.body, r.users, r.rejected);
      msg.ack();
    } catch (e) {
      logEvent("error", "slice failed", { key: msg.body.key, from: msg.body.from, attempt: msg.attempts, error: errorText(e) });
      msg.retry({ delaySeconds: Math.min(60, 2 ** msg.attempts) });
    }
  }
}
