/** Reads the raw event log object by object into plain NDJSON files for the engine, counting what it has to skip and why. */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import { UID } from "./origin-parts.mjs";

/** Objects fetched ahead of the one being read: an S3 round trip each, so a few at once keep the reader busy. */
const AHEAD = 8;
/** A staged file is closed past this size: the engine reads the files in parallel. */
const STAGE_BYTES = 64 * 1024 * 1024;

/** Why a line was not used; the summary counts each. @param {unknown} v the parsed line */
export function lineProblem(v) {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not a JSON object";
  const { uid, id, type, ts, received, props } = v;
  if (typeof uid !== "string" || typeof id !== "string" || typeof type !== "string") return "uid, id or type missing";
  if (!UID.test(uid)) return "uid the origin would reject";
  if (!Number.isSafeInteger(ts) || (received !== undefined && !Number.isSafeInteger(received))) return "ts or received not an integer";
  if (props !== undefined && (typeof props !== "object" || props === null || Array.isArray(props))) return "props not an object";
  // A link the engine cannot follow would leave the person's events split: it is counted, not guessed at.
  if (type === "link" && (typeof props?.into !== "string" || !UID.test(props.into))) return "link without a valid into";
  return null;
}

/** `events/dt=YYYY-MM-DD/...`: whether a key's partition is on or after `since` (keys outside the layout are read). */
export function inWindow(key, since) {
  if (!since) return true;
  const m = /^events\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key);
  return !m || m[1] >= since;
}

/**
 * @param {import("./buckets.mjs").Bucket} bucket the EVENTS bucket
 * @param {{ stageDir: string, since?: string, onProgress?: (p: { objects: number, lines: number }) => void }} options
 * @returns {Promise<{ objects: number, bytes: number, lines: number, files: string[],
 *   skippedObjects: Record<string, number>, skippedLines: Record<string, number> }>}
 */
export async function readLog(bucket, { stageDir, since, onProgress }) {
  const stats = { objects: 0, bytes: 0, lines: 0, files: [], skippedObjects: {}, skippedLines: {} };
  const count = (into, reason) => (into[reason] = (into[reason] ?? 0) + 1);
  let out;
  let outBytes = 0;
  const openStage = () => {
    const path = join(stageDir, `events-${String(stats.files.length).padStart(5, "0")}.ndjson`);
    stats.files.push(path);
    out = createWriteStream(path);
    outBytes = 0;
  };
  const closeStage = async () => {
    out.end();
    await finished(out);
  };
  openStage();

  const keys = bucket.list("events/")[Symbol.asyncIterator]();
  const pending = [];
  const fill = async () => {
    while (pending.length < AHEAD) {
      const next = await keys.next();
      if (next.done) return;
      if (!inWindow(next.value.key, since)) continue;
      const key = next.value.key;
      // A failed get is not bad input: it ends the run (caught where awaited), so a partial log never publishes.
      const bytes = bucket.get(key);
      bytes.catch(() => {});
      pending.push({ key, bytes });
    }
  };
  await fill();
  while (pending.length) {
    const { key, bytes: got } = pending.shift();
    await fill();
    const bytes = await got;
    if (!bytes) continue;
    stats.objects++;
    stats.bytes += bytes.byteLength;
    let text;
    try {
      text = (key.endsWith(".gz") ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
    } catch {
      count(stats.skippedObjects, "not readable gzip");
      continue;
    }
    const kept = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let v;
      try {
        v = JSON.parse(line);
      } catch {
        count(stats.skippedLines, "not JSON");
        continue;
      }
      const problem = lineProblem(v);
      if (problem) {
        count(stats.skippedLines, problem);
        continue;
      }
      kept.push(line);
    }
    stats.lines += kept.length;
    if (kept.length) {
      const chunk = `${kept.join("\n")}\n`;
      outBytes += chunk.length;
      if (!out.write(chunk)) await once(out, "drain");
      if (outBytes > STAGE_BYTES) {
        await closeStage();
        openStage();
      }
    }
    onProgress?.({ objects: stats.objects, lines: stats.lines });
  }
  await closeStage();
  return stats;
}
