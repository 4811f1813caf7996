/** Inflates a gzip stream holding a bounded number of bytes, however far the stream expands. */

/**
 * Compressed bytes written to the decompressor at a time. workerd's DecompressionStream inflates each
 * write whole into its own buffer and never pushes back on the writer, so a pipe into it inflates the
 * entire part ahead of the reader. Gzip expands at most ~1032:1, so one write adds at most ~1 MB.
 */
export const INFLATE_INPUT_BYTES = 1024;
/** Inflated bytes handed out per chunk (the last may be shorter). */
export const INFLATE_CHUNK_BYTES = 1024 * 1024;

/** What one inflation held; tests read it. */
export interface InflateCounters {
  /** Compressed bytes written to the decompressor. */
  fed: number;
}

/**
 * Writes compressed bytes only while a read is waiting for more, so the decompressor holds at most one
 * chunk plus the output of one write. A read that the decompressor can already serve resolves before
 * the write that follows it does, so at most one write runs ahead of what is needed.
 */
export async function* inflate(body: ReadableStream<Uint8Array>, counters: InflateCounters = { fed: 0 }): AsyncGenerator<Uint8Array> {
  const ds = new DecompressionStream("gzip");
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader({ mode: "byob" });
  const source = body.getReader();
  let pending: Uint8Array | undefined;
  let ended = false;
  const feed = async (): Promise<void> => {
    if (!pending?.length) {
      const next = await source.read();
      if (next.done) {
        ended = true;
        return writer.close();
      }
      pending = next.value;
    }
    const piece = pending.subarray(0, INFLATE_INPUT_BYTES);
    pending = pending.subarray(piece.length);
    counters.fed += piece.length;
    await writer.write(piece);
  };
  // One write at a time: a read may be served while a write is still on its way.
  let feeding: Promise<void> | undefined;
  try {
    for (;;) {
      let served = false;
      const read = reader.readAtLeast(INFLATE_CHUNK_BYTES, new Uint8Array(INFLATE_CHUNK_BYTES)).then((r) => {
        served = true;
        return r;
      });
      // Bad bytes fail both the write and the read; the one not awaited must not go unhandled.
      read.catch(() => {});
      while (!served && !ended) {
        feeding ??= feed().finally(() => (feeding = undefined));
        feeding.catch(() => {});
        await Promise.race([feeding, read]);
      }
      const { done, value } = await read;
      if (done) return;
      yield value;
    }
  } finally {
    // A consumer that stops early must not leave the origin body streaming.
    await source.cancel().catch(() => {});
    await reader.cancel().catch(() => {});
  }
}
