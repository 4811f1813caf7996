/** Slice boundaries of a part under any chunking, blank and overlong lines, long runs of blank lines. */
import { describe, expect, it } from "vitest";
import { PartScanner, type PartScannerOptions, type Span } from "../../sync/part-scanner";

const enc = (s: string) => new TextEncoder().encode(s);

function scanAll(
  text: string,
  perSlice: number,
  chunkSize: number,
  maxLine = 1_000,
  more: Partial<PartScannerOptions> = {},
): { spans: Span[]; records: number } {
  const s = new PartScanner({ records: perSlice, bytes: 1e9, maxLine, maxBlankRun: 1e9, ...more });
  const bytes = enc(text);
  const spans: Span[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) spans.push(...s.push(bytes.subarray(i, i + chunkSize)));
  spans.push(...s.end());
  return { spans, records: s.records };
}

describe("part scanner", () => {
  const text = ['{"uid":"a"}', '{"uid":"b"}', "", '{"uid":"c"}', "  \r", '{"uid":"dé"}', '{"uid":"e"}'].join("\n");

  it("cuts whole lines into slices of n records, whatever the chunking", () => {
    for (const chunk of [1, 2, 3, 7, 1000]) {
      const { spans, records } = scanAll(text, 2, chunk);
      expect(records).toBe(5);
      const bytes = enc(text);
      const dec = (s: Span) => new TextDecoder().decode(bytes.subarray(s.offset, s.offset + s.length));
      expect(spans.map((s) => s.records)).toEqual([2, 2, 1]);
      expect(spans.map(dec)).toEqual(['{"uid":"a"}\n{"uid":"b"}\n', '\n{"uid":"c"}\n  \r\n{"uid":"dé"}\n', '{"uid":"e"}']);
      // Spans tile the stream without gaps.
      let at = 0;
      for (const s of spans) {
        expect(s.offset).toBe(at);
        at += s.length;
      }
      expect(at).toBe(bytes.length);
    }
  });

  it("handles an empty stream, blank lines only, and a final newline", () => {
    expect(scanAll("", 2, 4)).toEqual({ spans: [], records: 0 });
    expect(scanAll("\n \n\r\n", 2, 4)).toEqual({ spans: [], records: 0 });
    expect(scanAll('{"a":1}\n{"a":2}\n', 2, 4)).toEqual({ spans: [{ offset: 0, length: 16, records: 2 }], records: 2 });
  });

  it("rejects a line longer than the limit, even split over chunks", () => {
    expect(() => scanAll(`{"uid":"${"x".repeat(50)}"}\n`, 2, 8, 40)).toThrow("record 1 is longer than 40 bytes");
  });

  it("also ends a slice at the first line end past its byte bound", () => {
    const lines = ["a".repeat(10), "b".repeat(30), "c", "d".repeat(5), "e"];
    for (const chunk of [1, 4, 100]) {
      const { spans } = scanAll(lines.join("\n"), 100, chunk, 1_000, { bytes: 20 });
      // 11 bytes, then 31 reach 20: cut; "c\n" and "ddddd\n" (8) do not, "e" ends the stream.
      expect(spans).toEqual([
        { offset: 0, length: 42, records: 2 },
        { offset: 42, length: 9, records: 3 },
      ]);
    }
  });

  it("rejects a run of blank lines longer than its bound, and counts runs apart", () => {
    const run = (n: number) => "\n".repeat(n);
    for (const chunk of [1, 3, 64]) {
      expect(scanAll(`a${run(11)}b${run(11)}c`, 5, chunk, 1_000, { maxBlankRun: 10 }).records).toBe(3);
      expect(() => scanAll(`a${run(12)}b`, 5, chunk, 1_000, { maxBlankRun: 10 })).toThrow(
        "blank lines after record 1 add up to more than 10 bytes",
      );
      expect(() => scanAll(`${run(5)} \t \r${run(5)}`, 5, chunk, 1_000, { maxBlankRun: 10 })).toThrow(
        "blank lines after record 0 add up to more than 10 bytes",
      );
    }
  });
});
