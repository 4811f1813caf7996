/** Applies one slice of a batch part to the users' objects, streaming the part and bounding concurrency. */
import { ndjsonLines } from "./ndjson-lines";
import { parseBatchRecord } from "./batch-record";
import type { SliceMessage } from "./manifest";

/** Durable Object calls in flight at once from one consumer invocation (Workers allow 6 connections; RPC multiplexes). */
export const APPLY_CONCURRENCY = 32;

export interface SliceResult {
  users: number;
  rejected: number;
}

export async function applySlice(env: Env, msg: SliceMessage): Promise<SliceResult> {
  const obj = await env.ORIGIN.get(msg.key);
  if (!obj) throw new Error(`part ${msg.key} is missing from the origin`);
  const result: SliceResult = { users: 0, rejected: 0 };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let index = 0;
  for await (const line of ndjsonLines(obj.body, msg.key.endsWith(".gz"))) {
    const i = index++;
    if (i < msg.from) continue;
    if (i >= msg.to || failure !== undefined) break;
    const rec = parseBatchRecord(line);
    if ("error" in rec) {
      result.rejected++;
      continue;
    }
    const update = "delete" in rec
      ? { version: msg.version, delete: true, ttlMs: msg.ttlMs }
      : { version: msg.version, segments: rec.segments, ttlMs: msg.ttlMs, ...(msg.taxonomy === undefined ? {} : { taxonomy: msg.taxonomy }) };
    const p = env.USER_PROFILE.getByName(rec.uid)
      .applyBatch(rec.uid, update)
      .then(
        () => void result.users++,
        (e: unknown) => void (failure ??= e),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= APPLY_CONCURRENCY) await Promise.race(inFlight);
  }
  // A rejected call makes the whole slice fail and retry; applying a version twice is a no-op in the object.
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return result;
}
