/**
 * Turns the decompressed stream of a gzip part into plain NDJSON objects cut at slice boundaries, so
 * each slice is later read as a byte range: a gzip stream cannot be entered in the middle, and
 * decompressing a several-GB part from its start once per slice would cost quadratic time.
 */
import type { PlannedSlice } from "../domain/sync-messages";
import type { Span } from "./part-scanner";

/**
 * Staged objects are at least this large (except the last): few R2 writes. A writer holds at most this
 * plus one slice still open (bounded by SLICE_BYTES, MAX_LINE_BYTES and MAX_BLANK_RUN_BYTES) plus one chunk.
 */
export const STAGE_BYTES = 8 * 1024 * 1024;

/** The most bytes any writer in this isolate has held at once: tests read it. */
export const stagingHighWater = { bytes: 0 };

export class StagingWriter {
  private chunks: Uint8Array[] = [];
  /** Stream offset of the first buffered byte. */
  private bufStart = 0;
  private bufBytes = 0;
  private pending: Span[] = [];
  private objects = 0;
  private slices = 0;
  /** The most bytes this writer has held at once. */
  maxBuffered = 0;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly prefix: string,
    private readonly minBytes = STAGE_BYTES,
  ) {}

  /** Buffers a chunk; writes an object once the whole slices buffered reach `minBytes`. */
  async add(chunk: Uint8Array, spans: Span[]): Promise<PlannedSlice[]> {
    this.chunks.push(chunk);
    this.bufBytes += chunk.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufBytes);
    stagingHighWater.bytes = Math.max(stagingHighWater.bytes, this.bufBytes);
    this.pending.push(...spans);
    const last = this.pending.at(-1);
    if (!last || last.offset + last.length - this.bufStart < this.minBytes) return [];
    return this.flush(last.offset + last.length);
  }

  async end(spans: Span[]): Promise<PlannedSlice[]> {
    this.pending.push(...spans);
    const last = this.pending.at(-1);
    return last ? this.flush(last.offset + last.length) : [];
  }

  /** Writes the buffered bytes up to `upto` (a slice boundary) as one object and keeps the rest. */
  private async flush(upto: number): Promise<PlannedSlice[]> {
    const take = upto - this.bufStart;
    const parts: Uint8Array[] = [];
    const rest: Uint8Array[] = [];
    let seen = 0;
    for (const c of this.chunks) {
      if (seen + c.length <= take) parts.push(c);
      else if (seen >= take) rest.push(c);
      else {
        parts.push(c.subarray(0, take - seen));
        rest.push(c.subarray(take - seen));
      }
      seen += c.length;
    }
    const key = `${this.prefix}${String(this.objects++).padStart(6, "0")}.ndjson`;
    const obj = await this.bucket.put(key, new Blob(parts));
    if (!obj) throw new Error(`staging ${key} was not written`);
    const planned = this.pending.map((s) => ({
      slice: this.slices++,
      src: key,
      etag: obj.etag,
      offset: s.offset - this.bufStart,
      length: s.length,
      records: s.records,
    }));
    this.pending = [];
    this.chunks = rest;
    this.bufStart = upto;
    this.bufBytes -= take;
    return planned;
  }
}
