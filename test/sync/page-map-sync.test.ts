/** A classifier's URL → category map published through the batch origin: verified and applied by the sync, seen in lookups. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { contextCache } from "../../worker/isolate";
import { ADMIN, call } from "../support/helpers";
import { publishVersion } from "../support/origin";
import { cron, waitForApplied } from "../support/sync-helpers";

const PAGE = "https://News.example:443/foot/psg?utm_source=mail&id=7#comments";
const site = async (url: string) => {
  const res = await call(`/v1/segments?format=ortb2&gdpr=1&url=${encodeURIComponent(url)}`);
  return ((await res.json()) as { site?: unknown }).site;
};

beforeAll(async () => {
  // Page segments are switched on by a context document; this one has no rules of its own.
  expect((await call("/v1/admin/context", { method: "PUT", headers: ADMIN, body: '{"version":1,"rules":[]}' })).status).toBe(200);
});

describe("the page map from the batch origin", () => {
  it("applies page records by normalised URL and answers them as the page's segments, consent or not", async () => {
    await publishVersion(
      1,
      [
        [
          { url: PAGE, segments: ["533", "286", "533"] },
          { url: "ftp://not-a-page.example/", segments: ["1"] },
        ],
      ],
      { taxonomy: 9, gzip: true },
    );
    await cron();
    const status = await waitForApplied(1);
    expect(status.lastRun).toMatchObject({ usersApplied: 1, recordsRejected: 1, rejectedParts: [] });
    expect(await env.PROFILES.get("p:news.example/foot/psg?id=7")).toMatch(/^1\|1\|9:533,286$/);
    // The same page however its address is written; a Special Category Data category may describe a page.
    const expected = { content: { data: [{ name: env.PROVIDER_NAME, ext: { segtax: 9 }, segment: [{ id: "533" }, { id: "286" }] }] } };
    expect(await site("http://news.example/foot/psg?id=7&utm_campaign=x")).toEqual(expected);
    expect(await site("https://news.example/foot/other")).toBeUndefined();
    // Nothing about anyone was stored.
    expect((await env.PROFILES.list({ prefix: "u:" })).keys).toEqual([]);
  });

  it("removes a page with a delete record of a later version", async () => {
    await publishVersion(2, [[{ url: PAGE, delete: true }]], { kind: "delta", taxonomy: 9 });
    await cron();
    await waitForApplied(2);
    expect(await env.PROFILES.get("p:news.example/foot/psg?id=7")).toBeNull();
    // An isolate keeps a page's answer up to five minutes; a new one asks the map.
    contextCache.clear();
    expect(await site(PAGE)).toBeUndefined();
  });
});
