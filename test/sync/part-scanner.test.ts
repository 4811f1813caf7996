/** Slice boundaries of a part under any chunking, blank and overlong lines. */
import { describe, expect, it } from "vitest";
import { PartScanner, type Span } from "../../sync/part-scanner";

const enc = (s: string) => new TextEncoder().encode(s);

function scanAll(text: string, perSlice: number, chunkSize: number, maxLine = 1_000): { spans: Span[]; records: number } {
  const s = new PartScanner(perSlice, maxLine);
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
});
