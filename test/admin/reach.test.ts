/** The batch segments' reach beside the rules in GET /v1/admin/segments, read from the file the batch job writes to the origin. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import demo from "../../demo/segments.json";
import { REACH_KEY } from "../../domain/reach";
import { ADMIN, call, putSegments } from "../support/helpers";

const reach = {
  version: 1796000000,
  computedAt: "2026-12-04T10:00:00.000Z",
  minimum: 100,
  taxonomy: 4,
  segments: [
    { id: "805", name: "Purchase Intent* | Automotive Ownership", members: 12345, previous: 12000, change: 345, belowMinimum: false },
    { id: "1649", name: "Purchase Intent* | Travel and Tourism", members: 42, previous: null, change: null, belowMinimum: true },
  ],
};

describe("reach in GET /v1/admin/segments", () => {
  it("shows the rules alone while the batch job has written no reach", async () => {
    expect(await (await call("/v1/admin/segments", { headers: ADMIN })).json()).toEqual({ version: 0, segments: [] });
  });

  it("shows each batch segment's members, change, flag below the minimum and when it was computed", async () => {
    await putSegments();
    await env.ORIGIN.put(REACH_KEY, JSON.stringify(reach));
    const res = await call("/v1/admin/segments", { headers: ADMIN });
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(await res.json()).toEqual({ ...demo, reach });
  });

  it("shows no reach, rather than failing, when the file is not a reach document", async () => {
    for (const bad of ["{", JSON.stringify({ ...reach, segments: [{ id: "805" }] }), JSON.stringify([reach])]) {
      await env.ORIGIN.put(REACH_KEY, bad);
      const res = await call("/v1/admin/segments", { headers: ADMIN });
      expect(res.status).toBe(200);
      expect(await res.json()).not.toHaveProperty("reach");
    }
  });
});
