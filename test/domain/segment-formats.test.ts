/** The answer formats: json, ortb2 by segtax, gpt within GPT's limits, js with a safe callback, page holding three of them. */
import { describe, expect, it } from "vitest";
import type { Profile } from "../../domain/profile-record";
import { gptForm, ortb2Form, pageForm, parseFormat, renderSegments } from "../../domain/segment-formats";

const p: Profile = { ts: 9, segments: [{ id: "806", taxonomy: 4 }, { id: "x".repeat(41) }, { id: "a-b_c.d" }, { id: "1", taxonomy: 600 }] };

const gptlessJson = () => ({ segments: p.segments.map((s) => s.id), ts: 9 });

describe("segment formats", () => {
  it("keeps GPT values within 40 characters under the configured key", () => {
    expect(gptForm(p, "udn")).toEqual({ udn: ["806", "a-b_c.d", "1"] });
    for (const v of gptForm(p, "udn").udn!) expect(v).toMatch(/^[^"'=!+#*~;^()<>[\] ]{1,40}$/);
  });

  it("gives one OpenRTB Data object per taxonomy and no ext for proprietary segments", () => {
    expect(ortb2Form(p, "prov")).toEqual({
      user: {
        data: [
          { name: "prov", ext: { segtax: 4 }, segment: [{ id: "806" }] },
          { name: "prov", segment: [{ id: "x".repeat(41) }, { id: "a-b_c.d" }] },
          { name: "prov", ext: { segtax: 600 }, segment: [{ id: "1" }] },
        ],
      },
    });
  });

  it("gives a page the json, ortb2 and gpt forms in one body", () => {
    const opts = { providerName: "prov", gptKey: "udn" };
    expect(pageForm(p, opts)).toEqual({ ...gptlessJson(), ...ortb2Form(p, "prov"), gpt: gptForm(p, "udn") });
    expect(JSON.parse(renderSegments(p, "page", opts)[0])).toEqual(pageForm(p, opts));
    expect(pageForm({ ts: 0, segments: [] }, opts)).toEqual({ segments: [], ts: 0, user: { data: [] }, gpt: { udn: [] } });
  });

  it("accepts plain dotted identifiers as callbacks and nothing else", () => {
    for (const ok of ["cb", "window.udn.cb", "$jsonp_1", "_a.$b"]) expect(parseFormat("js", ok).callback).toBe(ok);
    for (const bad of [undefined, "", "a b", "a;b", "a[0]", "a.", ".a", "a..b", "1a", "a.b.c.d.e.f", "alert(1)", "a-b", "ünï"]) {
      expect(() => parseFormat("js", bad), String(bad)).toThrow("callback must be a plain dotted identifier");
    }
    expect(renderSegments(p, "js", { providerName: "p", gptKey: "k" }, "cb")[0]).toMatch(/^cb\(\{"segments":\[.*\],"ts":9\}\);$/);
  });

  it("names the formats it accepts", () => {
    expect(() => parseFormat("csv", undefined)).toThrow('format must be one of json, ortb2, gpt, js, page; got "csv"');
    expect(parseFormat(undefined, undefined)).toEqual({ format: "json" });
  });
});
