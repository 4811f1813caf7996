/** Batch part lines: user records and page records, and the reasons a line is rejected. */
import { describe, expect, it } from "vitest";
import { parseBatchRecord } from "../../domain/batch-record";

const parse = (r: unknown) => parseBatchRecord(JSON.stringify(r));

describe("parseBatchRecord", () => {
  it("reads user records", () => {
    expect(parse({ uid: "u-1", segments: ["607", "607", "244"] })).toEqual({ uid: "u-1", segments: ["607", "244"] });
    expect(parse({ uid: "u-1", delete: true })).toEqual({ uid: "u-1", delete: true });
  });

  it("reads page records under their normalised URL", () => {
    expect(parse({ url: "https://News.example:443/a?utm_source=x&b=2&a=1#top", segments: ["533"] })).toEqual({
      page: "news.example/a?a=1&b=2",
      segments: ["533"],
    });
    expect(parse({ url: "http://news.example/a", delete: true })).toEqual({ page: "news.example/a", delete: true });
  });

  it("rejects what cannot be applied", () => {
    expect(parseBatchRecord("{")).toEqual({ error: "not JSON" });
    expect(parse({ url: "/relative", segments: [] })).toEqual({ error: "bad url" });
    expect(parse({ url: 7, segments: [] })).toEqual({ error: "bad url" });
    expect(parse({ url: "https://a.example/", uid: "x y", segments: [] })).toEqual({ error: "bad uid" });
    expect(parse({ url: "https://a.example/", segments: ["a b"] })).toEqual({ error: "bad segment id" });
    expect(parse({ url: "https://a.example/", segments: Array.from({ length: 501 }, (_, i) => `s${i}`) })).toEqual({
      error: "bad segments",
    });
  });
});
