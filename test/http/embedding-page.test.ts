/** The page behind a script tag or an image: `format=js` answers and pixel events only for pages in ALLOWED_ORIGINS. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import { call, callWith, cookieFrom, postEvents, putSegments, view } from "../support/helpers";

const LISTED = "http://localhost:8080";
const cookieOf = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;

/** A script tag's request as a browser sends it from a page. */
function scriptFrom(page: string | undefined, cookie?: string, site = "cross-site"): Record<string, string> {
  return { "Sec-Fetch-Site": site, "Sec-Fetch-Dest": "script", ...(page ? { Referer: page } : {}), ...(cookie ? { Cookie: cookie } : {}) };
}

describe("the embedding page", () => {
  it("answers format=js to listed pages only, through the hot path and the app alike, and sets no cookie for a refused one", async () => {
    await putSegments();
    const known = await cookieOf("S".repeat(22));
    await postEvents(known, [view("s1", { url: "/cars/a" })]);
    const path = "/v1/segments?format=js&callback=udnSeg";
    for (const cookie of [known, undefined]) {
      const ok = await call(path, { headers: scriptFrom(`${LISTED}/article`, cookie) });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^udnSeg\(/);
      for (const headers of [
        scriptFrom("https://evil.example/x", cookie),
        scriptFrom(undefined, cookie),
        scriptFrom("not a url", cookie),
      ]) {
        const res = await call(path, { headers });
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({
          error: "format=js answers only pages in ALLOWED_ORIGINS, and this request's Referer is not one",
        });
        expect(cookieFrom(res, "udn_id")).toBeUndefined();
      }
    }
    // The edge's own pages, a request without fetch metadata (no browser's cross-site load), and the check turned off.
    expect((await call(path, { headers: scriptFrom(undefined, known, "same-origin") })).status).toBe(200);
    expect((await call(path, { headers: { Cookie: known } })).status).toBe(200);
    expect((await callWith({ CHECK_EMBEDDING_PAGE: "false" }, path, { headers: scriptFrom("https://evil.example/x", known) })).status).toBe(
      200,
    );
    // Other formats are protected by CORS, and stay as they were.
    expect((await call("/v1/segments", { headers: scriptFrom("https://evil.example/x", known) })).status).toBe(200);
  });

  it("records pixel events from listed pages only, and always answers the GIF", async () => {
    const uid = "T".repeat(22);
    const cookie = await cookieOf(uid);
    const pixel = (id: string, headers: Record<string, string>) =>
      call(`/v1/px.gif?type=view&id=${id}&category=news`, { headers: { Cookie: cookie, "Sec-Fetch-Dest": "image", ...headers } });
    for (const [id, headers] of [
      ["foreign", { "Sec-Fetch-Site": "cross-site", Referer: "https://evil.example/" }],
      ["hidden", { "Sec-Fetch-Site": "cross-site" }],
      ["listed", { "Sec-Fetch-Site": "cross-site", Referer: `${LISTED}/page` }],
    ] as const) {
      const res = await pixel(id, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/gif");
    }
    expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ eventsSeen: 1 });
  });
});
