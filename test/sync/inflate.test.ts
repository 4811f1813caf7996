/** Inflating gzip parts: the bytes come back whole, and a part that inflates far is never held whole. */
import { describe, expect, it } from "vitest";
import { INFLATE_CHUNK_BYTES, INFLATE_INPUT_BYTES, type InflateCounters, inflate } from "../../sync/inflate";
import { gzip, gzipRepeated } from "../support/origin";

const enc = (s: string) => new TextEncoder().encode(s);

/** A stream handing over `bytes` in chunks of `size`. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(ctl) {
      if (at >= bytes.length) return ctl.close();
      ctl.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

describe("inflate", () => {
  it("gives back the bytes of a gzip stream, whatever its chunking", async () => {
    const text = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ uid: `u-${i}`, segments: [String(i % 977)] })).join("\n");
    const gz = await gzip(enc(text));
    for (const size of [7, 1_000, gz.length]) {
      const chunks = await collect(inflate(chunked(gz, size)));
      expect(new TextDecoder().decode(await new Blob(chunks).arrayBuffer())).toBe(text);
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(INFLATE_CHUNK_BYTES);
    }
    expect(await collect(inflate(chunked(await gzip(new Uint8Array()), 10)))).toEqual([]);
  });

  it("feeds the decompressor only what the reader asks for, so a part inflating ~1000:1 is never held whole", async () => {
    const MB = 1024 * 1024;
    const bomb = await gzipRepeated(enc("x"), new Uint8Array(MB).fill(10), 64, enc("y"));
    expect(bomb.length).toBeLessThan(MB / 8);
    const counters: InflateCounters = { fed: 0 };
    const fedAt: number[] = [];
    let inflated = 0;
    for await (const c of inflate(chunked(bomb, bomb.length), counters)) {
      fedAt.push(counters.fed);
      inflated += c.length;
      expect(c.length).toBeLessThanOrEqual(INFLATE_CHUNK_BYTES);
      // What the reader has taken, plus one chunk and one write's worth (gzip expands at most ~1032:1).
      expect((counters.fed - 2 * INFLATE_INPUT_BYTES) * 1032).toBeLessThanOrEqual(inflated + INFLATE_CHUNK_BYTES);
    }
    expect(inflated).toBe(64 * MB + 2);
    expect(fedAt[0]).toBeLessThanOrEqual(4 * INFLATE_INPUT_BYTES);
    expect(counters.fed).toBe(bomb.length);
  });

  it("fails on bytes that are not gzip, and stops reading its source when the reader stops", async () => {
    await expect(collect(inflate(chunked(enc('{"uid":"a"}\n'), 4)))).rejects.toThrow(/decompress/i);
    let pulled = 0;
    const gz = await gzipRepeated(enc(""), new Uint8Array(1024 * 1024).fill(10), 8, enc(""));
    const source = new ReadableStream<Uint8Array>({
      pull(ctl) {
        ctl.enqueue(gz.subarray(pulled, pulled + 100));
        pulled += 100;
      },
    });
    for await (const _ of inflate(source)) break;
    const after = pulled;
    await new Promise((r) => setTimeout(r, 10));
    expect(pulled).toBe(after);
    expect(pulled).toBeLessThan(gz.length);
  });
});
