/** End to end: a browser's events through its object and rules to KV and back out of a lookup. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, cookieFrom, postEvents, putSegments, view } from "../support/helpers";

describe("events to segments, end to end", () => {
  it("puts a browser in a real-time segment after three auto views and shows it on its next lookup", async () => {
    expect((await putSegments()).status).toBe(200);
    const first = await call("/v1/segments");
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ segments: [], ts: 0 });
    const cookie = cookieFrom(first, "udn_id");
    expect(cookie).toBeDefined();

    const r1 = await postEvents(cookie, [view("e1", { category: "auto" }), view("e2", { category: "auto" })]);
    expect(r1.status).toBe(202);
    expect(await r1.json()).toEqual({ accepted: 2 });
    let body = (await (await call("/v1/segments", { headers: { Cookie: cookie! } })).json()) as { segments: string[] };
    expect(body.segments).not.toContain("806");

    // The third view qualifies; a repeated id does not count twice.
    await postEvents(cookie, [view("e2", { category: "auto" })]);
    body = (await (await call("/v1/segments", { headers: { Cookie: cookie! } })).json()) as { segments: string[] };
    expect(body.segments).not.toContain("806");
    await postEvents(cookie, [view("e3", { category: "auto" })], "text/plain");
    const res = await call("/v1/segments", { headers: { Cookie: cookie! } });
    const final = (await res.json()) as { segments: string[]; ts: number };
    expect(final.segments).toContain("806");
    expect(final.ts).toBeGreaterThan(0);
    expect(res.headers.get("Set-Cookie")).toBeNull();

    const uid = cookie!.split("=")[1]!.split(".")[0]!;
    expect(await env.PROFILES.get(`u:${uid}`)).toMatch(/^1\|\d+\|4:806$/);
  });
});
