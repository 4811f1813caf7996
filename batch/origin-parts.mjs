/** A batch version's parts and manifest as the origin expects them (docs/contract.md, "Batch origin"): shared by origin:publish and the batch job. */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { finished } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { pageKey } from "./page-url.mjs";

// The edge's own limits (domain/batch-record.ts, domain/ids.ts, domain/context/normalise-url.ts): a record the edge would reject is refused here.
export const UID = /^[A-Za-z0-9._:-]{1,128}$/;
export const SEGMENT = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_SEGMENTS = 500;

/**
 * One record checked against the edge's rules: a user's (`uid`) or, with `url` and no `uid`, a page's.
 * @returns {{ record: { uid: string, segments: string[] } | { uid: string, delete: true }
 *   | { url: string, segments: string[] } | { url: string, delete: true } } | { error: string }}
 */
export function checkRecord(r) {
  if (typeof r !== "object" || r === null || Array.isArray(r)) return { error: "not a JSON object" };
  let who;
  // The edge reads a record with both as a user's, as here.
  if (r.url !== undefined && r.uid === undefined) {
    if (pageKey(r.url) === null) return { error: "url must be an absolute http(s) URL of at most 2048 characters" };
    who = { url: r.url };
  } else {
    if (typeof r.uid !== "string" || !UID.test(r.uid)) return { error: `uid must match ${UID.source}` };
    who = { uid: r.uid };
  }
  if (r.delete === true) return { record: { ...who, delete: true } };
  if (!Array.isArray(r.segments) || r.segments.length > MAX_SEGMENTS)
    return { error: `needs "segments" (at most ${MAX_SEGMENTS}) or "delete": true` };
  for (const s of r.segments)
    if (typeof s !== "string" || !SEGMENT.test(s)) return { error: `segment ${JSON.stringify(s)} must match ${SEGMENT.source}` };
  return { record: { ...who, segments: [...new Set(r.segments)] } };
}

/**
 * Splits records into parts of at most `perPart`, each streamed through gzip (unless `plain`) into a file in `dir`
 * while its stored bytes are hashed, so memory holds one record whatever the count.
 * @param {{ dir: string, version: number, perPart: number, plain?: boolean }} options
 */
export function createPartWriter({ dir, version, perPart, plain = false }) {
  const ext = plain ? ".ndjson" : ".ndjson.gz";
  const done = [];
  const open = (index) => {
    const key = `batches/v${version}/part-${String(index).padStart(5, "0")}${ext}`;
    const path = join(dir, `part-${index}`);
    const out = createWriteStream(path);
    const hash = createHash("sha256");
    const sink = plain ? new PassThrough() : createGzip();
    sink.on("data", (chunk) => hash.update(chunk));
    sink.pipe(out);
    return { key, path, sink, out, hash, records: 0 };
  };
  const close = async (p) => {
    p.sink.end();
    await finished(p.out);
    done.push({ key: p.key, path: p.path, records: p.records, sha256: p.hash.digest("hex") });
  };
  let part = open(0);
  return {
    /** @param {object} record a checked record */
    async write(record) {
      if (part.records === perPart) {
        await close(part);
        part = open(done.length);
      }
      if (!part.sink.write(`${JSON.stringify(record)}\n`)) await new Promise((ok) => part.sink.once("drain", ok));
      part.records++;
    },
    /** @returns {Promise<{ key: string, path: string, records: number, sha256: string }[]>} every part, the last one closed */
    async finish() {
      await close(part);
      return done;
    },
  };
}

/** The manifest naming `parts`; written after them. */
export function manifestOf({ version, kind, parts, segmentTtl, taxonomy }) {
  return {
    version,
    kind,
    parts: parts.map(({ key, records, sha256 }) => ({ key, records, sha256 })),
    segmentTtl,
    ...(taxonomy ? { taxonomy } : {}),
  };
}
