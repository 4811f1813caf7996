/** site.content.data from the edge's page answer: read defensively, added beside the publisher's own content data. */
import { describe, expect, it } from "vitest";
import { addSiteData, readSiteData } from "../../prebid/site-data";
import type { Ortb2Fragment } from "../../prebid/user-data";

const PAGE = { name: "udn.example", ext: { segtax: 9 }, segment: [{ id: "533" }] };

describe("readSiteData", () => {
  it("reads the page answer's site.content.data and nothing else", () => {
    expect(readSiteData({ ts: 1, user: { data: [] }, site: { content: { data: [PAGE] } } })).toEqual([PAGE]);
    expect(readSiteData({ ts: 1, user: { data: [PAGE] } })).toEqual([]);
    expect(readSiteData(null)).toEqual([]);
    expect(readSiteData({ site: { content: { data: [{ name: "x", segment: "533" }] } } })).toEqual([]);
  });
});

describe("addSiteData", () => {
  it("adds beside the publisher's content and other providers' data, replacing ours", () => {
    const fragment: Ortb2Fragment = {
      site: {
        domain: "news.example",
        content: {
          language: "fr",
          data: [
            { name: "other", segment: [{ id: "1" }] },
            { name: "udn.example", segment: [{ id: "old" }] },
          ],
        },
      },
    };
    addSiteData(fragment, [PAGE]);
    expect(fragment).toEqual({
      site: { domain: "news.example", content: { language: "fr", data: [{ name: "other", segment: [{ id: "1" }] }, PAGE] } },
    });
  });

  it("creates site.content.data when absent and changes nothing when there is nothing to add", () => {
    const empty: Ortb2Fragment = {};
    addSiteData(empty, []);
    expect(empty).toEqual({});
    addSiteData(empty, [PAGE]);
    expect(empty).toEqual({ site: { content: { data: [PAGE] } } });
  });
});
