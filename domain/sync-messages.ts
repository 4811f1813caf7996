/** The sync queue's messages: first verify a part, then apply it slice by slice. Each is a few hundred bytes. */

/** Check a part's sha256 and record count and plan its slices; nothing is applied from it before this passes. */
export interface VerifyMessage {
  type: "verify";
  version: number;
  part: number;
  key: string;
  sha256: string;
  records: number;
}

/** Apply records of one verified part: the bytes [offset, offset + length) of `src` at `etag`. */
export interface ApplyMessage extends PlannedSlice {
  type: "apply";
  version: number;
  part: number;
  /** The version's issue time: batch segments last `ttlMs` from here, however late a retry lands. */
  at: number;
  ttlMs: number;
  taxonomy?: number;
}

export type SyncMessage = VerifyMessage | ApplyMessage;

/** Where one slice's bytes are, as the verifier planned them. */
export interface PlannedSlice {
  slice: number;
  src: string;
  etag: string;
  offset: number;
  length: number;
  records: number;
}

/**
 * Records per slice. The consumer takes one message per invocation (max_batch_size = 1): one Durable
 * Object call per record plus a handful of R2 and coordinator calls stay under the 1,000-subrequest
 * limit that older paid plans still have (newer ones allow 10,000).
 */
export const RECORDS_PER_SLICE = 900;

/** A line longer than this cannot be a valid record (500 segment ids of 64 bytes are ~33 KB): the part is rejected. */
export const MAX_LINE_BYTES = 256 * 1024;

/**
 * A slice also ends at the first line end past this many bytes, so that 900 long records do not make
 * one slice of hundreds of MB that staging would hold whole. Typical records (~300 bytes) never reach it.
 */
export const SLICE_BYTES = 4 * 1024 * 1024;

/**
 * Blank lines in a row may add up to this many bytes; more and the part is rejected. Blank lines hold
 * no record, so without a bound a small gzip part could inflate to GBs of them inside a single slice.
 */
export const MAX_BLANK_RUN_BYTES = 1024 * 1024;
