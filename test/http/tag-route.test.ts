/** GET /v1/tag.js: content type, caching, ETag and 304, size budget. */
import { describe, expect, it } from "vitest";
import { TAG_ETAG, TAG_JS } from "../../tag/tag-bundle";
import { TAG_CACHE_CONTROL } from "../../worker/ad-tag/route";
import { call } from "../support/helpers";

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

describe("GET /v1/tag.js", () => {
  it("serves the tag as cacheable JavaScript, with no cookie", async () => {
    const res = await call("/v1/tag.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/javascript; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toBe(TAG_CACHE_CONTROL);
    expect(TAG_CACHE_CONTROL).toMatch(/^public, max-age=\d+/);
    expect(res.headers.get("ETag")).toBe(TAG_ETAG);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).toBe(TAG_JS);
  });

  it("is at most 3.25 KiB gzipped (the budget of scripts/build-tag.mjs)", async () => {
    expect(await gzipSize(TAG_JS)).toBeLessThanOrEqual(3.25 * 1024);
  });

  it("answers 304 to a browser that holds the current version, strong or weak", async () => {
    for (const tag of [TAG_ETAG, `W/${TAG_ETAG}`, `"other", ${TAG_ETAG}`]) {
      const res = await call("/v1/tag.js", { headers: { "If-None-Match": tag } });
      expect(res.status).toBe(304);
      expect(res.headers.get("ETag")).toBe(TAG_ETAG);
      expect(await res.text()).toBe("");
    }
    const stale = await call("/v1/tag.js", { headers: { "If-None-Match": '"an-older-tag"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it("reads its edge from its own script URL and ships no address of its own", () => {
    expect(TAG_JS).toContain("currentScript");
    expect(TAG_JS).not.toMatch(/https?:\/\//);
  });
});
