/** Applies one slice of a verified part to the users' objects (and page records to the page map), streaming its byte range with bounded concurrency. */

import { parseBatchRecord } from "../domain/batch-record";
import type { ApplyMessage } from "../domain/sync-messages";
import type { BatchUpdate } from "../durable/user-profile";
import { deletePage, putPage } from "../platform/page-map";
import { userProfile } from "../platform/stubs";
import { ndjsonLines } from "./ndjson-lines";

/** Durable Object calls in flight at once from one consumer invocation. */
export const APPLY_CONCURRENCY = 32;

export interface SliceResult {
  /** Records that changed their user's batch state. */
  applied: number;
  /** Records the user's object already had (same or newer version) or refused (erased user). */
  unchanged: number;
  /** Lines that are not a valid record; counted, never applied. */
  rejected: number;
}

/** @returns the counts, or "changed" when the bytes are no longer those that were verified */
export async function applySlice(env: Env, msg: ApplyMessage): Promise<SliceResult | "changed"> {
  const obj = await env.ORIGIN.get(msg.src, { range: { offset: msg.offset, length: msg.length }, onlyIf: { etagMatches: msg.etag } });
  if (!obj || !("body" in obj)) return "changed";
  const result: SliceResult = { applied: 0, unchanged: 0, rejected: 0 };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for await (const line of ndjsonLines(obj.body)) {
    if (failure !== undefined) break;
    const rec = parseBatchRecord(line);
    if ("error" in rec) {
      result.rejected++;
      continue;
    }
    if ("page" in rec) {
      // A page's categories (a classifier's output) go to the page map, not to any user.
      const write =
        "delete" in rec
          ? deletePage(env.PROFILES, rec.page)
          : putPage(
              env.PROFILES,
              rec.page,
              msg.version,
              rec.segments.map((id) => (msg.taxonomy === undefined ? { id } : { id, taxonomy: msg.taxonomy })),
              msg.at + msg.ttlMs - Date.now(),
            );
      const p = write
        .then(
          () => void result.applied++,
          (e: unknown) => void (failure ??= e),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= APPLY_CONCURRENCY) await Promise.race(inFlight);
      continue;
    }
    const update: BatchUpdate =
      "delete" in rec
        ? { version: msg.version, delete: true, ttlMs: msg.ttlMs, at: msg.at }
        : { version: msg.version, segments: rec.segments, ttlMs: msg.ttlMs, at: msg.at };
    if (msg.taxonomy !== undefined) update.taxonomy = msg.taxonomy;
    const p = userProfile(env, rec.uid)
      .applyBatch(rec.uid, update)
      .then(
        (r) => void (r.applied ? result.applied++ : result.unchanged++),
        (e: unknown) => void (failure ??= e),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= APPLY_CONCURRENCY) await Promise.race(inFlight);
  }
  // One failed call fails the slice, which is retried whole: records already applied are no-ops then.
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return result;
}
