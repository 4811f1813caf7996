/** The operator's endpoints: segment definitions (validation, versions) and sync control, behind ADMIN_TOKEN. */
import { describe, expect, it } from "vitest";
import demo from "../../demo/segments.json";
import { ADMIN, call, putSegments } from "../support/helpers";

const seg = (over: object) => ({ id: "s1", name: "S", ttl: "1d", rule: { event: "view", within: "1h" }, ...over });

describe("admin segment definitions", () => {
  it("needs the admin token", async () => {
    expect((await call("/v1/admin/segments")).status).toBe(401);
    expect((await call("/v1/admin/segments", { headers: { Authorization: "Bearer dev-api-key" } })).status).toBe(403);
    expect((await call("/v1/admin/sync", { method: "POST" })).status).toBe(401);
  });

  it("stores a valid document, returns it, and accepts only newer versions", async () => {
    expect(await (await call("/v1/admin/segments", { headers: ADMIN })).json()).toEqual({ version: 0, segments: [] });
    const put = await putSegments();
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ version: 1 });
    expect(await (await call("/v1/admin/segments", { headers: ADMIN })).json()).toEqual(demo);
    const again = await putSegments();
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: "version must be greater than the current version 1" });
    expect((await putSegments({ ...demo, version: 2 })).status).toBe(200);
  });

  it("rejects invalid documents with an error naming the bad field, changing nothing", async () => {
    const before = await (await call("/v1/admin/segments", { headers: ADMIN })).text();
    const cases: [unknown, string][] = [
      [[], "document must be a JSON object"],
      [{ segments: [] }, "version must be a positive integer"],
      [{ version: 1 }, "segments must be an array"],
      [{ version: 1, segments: [seg({ id: "bad id" })] }, "segments[0].id must match"],
      [{ version: 1, segments: [seg({}), seg({})] }, 'segments[1].id "s1" is defined twice'],
      [{ version: 1, segments: [seg({ name: "" })] }, "segments[0].name must be a string"],
      [{ version: 1, segments: [seg({ ttl: "forever" })] }, "segments[0].ttl must be a duration"],
      [{ version: 1, segments: [seg({ taxonomy: -4 })] }, "segments[0].taxonomy must be a positive integer"],
      [{ version: 1, segments: [seg({ rule: { event: "view", within: "7w" } })] }, "segments[0].rule.within must be a duration"],
      [{ version: 1, segments: [seg({ rule: { event: "view", within: "1d", min: 0 } })] }, "segments[0].rule.min must be an integer"],
      [
        { version: 1, segments: [seg({ rule: { event: "view", within: "1d", props: { a: { like: "x" } } } })] },
        "segments[0].rule.props.a must be a value",
      ],
      [{ version: 1, segments: [seg({ rule: { all: [] } })] }, "segments[0].rule.all must be a non-empty array"],
      [
        { version: 1, segments: [seg({ rule: { any: [{ event: "view", within: "1d", foo: 1 }] } })] },
        "segments[0].rule.any[0].foo is not a field",
      ],
      [{ version: 1, segments: [seg({ rule: { nope: 1 } })] }, 'segments[0].rule must have "event", "all", "any", "not" or "segment"'],
      [
        { version: 1, segments: [seg({ id: "a", rule: { segment: "b" } }), seg({ id: "b", rule: { not: { segment: "a" } } })] },
        "segments form a cycle: a -> b -> a",
      ],
    ];
    for (const [doc, error] of cases) {
      const res = await call("/v1/admin/segments", { method: "PUT", headers: ADMIN, body: JSON.stringify(doc) });
      expect(res.status, error).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(error);
    }
    const notJson = await call("/v1/admin/segments", { method: "PUT", headers: ADMIN, body: "{" });
    expect(await notJson.json()).toEqual({ error: "document is not valid JSON" });
    expect(await (await call("/v1/admin/segments", { headers: ADMIN })).text()).toBe(before);
  });
});

describe("admin sync", () => {
  it("reports no manifest and an empty status on a fresh origin", async () => {
    const res = await call("/v1/admin/sync", { method: "POST", headers: ADMIN });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ version: null, outcome: "no-manifest", parts: 0 });
    expect(await (await call("/v1/admin/sync", { headers: ADMIN })).json()).toMatchObject({
      appliedVersion: 0,
      inProgress: null,
      deadLetters: [],
    });
  });
});
