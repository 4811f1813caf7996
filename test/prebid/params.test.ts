/** The module's options: defaults, and malformed values falling back to them. */
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_AGE_MS, DEFAULT_WAIT_MS, readOptions } from "../../prebid/params";

describe("readOptions", () => {
  it("defaults to the global fragment, the default wait and age, and the tag's edge", () => {
    expect(readOptions(undefined)).toEqual({
      bidders: undefined,
      taxonomies: {},
      waitMs: DEFAULT_WAIT_MS,
      maxAgeMs: DEFAULT_MAX_AGE_MS,
      edge: undefined,
    });
  });

  it("reads bidders, mappings, times and the edge's origin", () => {
    const o = readOptions({
      bidders: ["a", 5, "b"],
      taxonomies: { a: { segtax: 501, ids: { "806": "x", bad: 1 } }, b: { segtax: "501", ids: {} }, c: null },
      waitMs: 50,
      maxAgeMs: 1000,
      edge: "https://edge.example.com/v1/tag.js",
    });
    expect(o).toEqual({
      bidders: ["a", "b"],
      taxonomies: { a: { segtax: 501, ids: { "806": "x" } } },
      waitMs: 50,
      maxAgeMs: 1000,
      edge: "https://edge.example.com",
    });
  });

  it("falls back to the defaults for times that are not non-negative numbers", () => {
    for (const bad of [-1, Number.NaN, "100", null]) {
      expect(readOptions({ waitMs: bad, maxAgeMs: bad })).toMatchObject({ waitMs: DEFAULT_WAIT_MS, maxAgeMs: DEFAULT_MAX_AGE_MS });
    }
  });
});
