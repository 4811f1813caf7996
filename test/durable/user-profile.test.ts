/** The user's object called directly: dedupe, lapses by alarm, batch versions, publish coalescing. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserProfile } from "../../durable/user-profile";
import { putSegments, view } from "../support/helpers";

const DAY = 86_400_000;

function stubFor(uid: string) {
  return env.USER_PROFILE.getByName(uid);
}

async function setClock(stub: DurableObjectStub<UserProfile>, at: number): Promise<void> {
  await runInDurableObject(stub, (instance: UserProfile) => {
    instance.now = () => at;
  });
}

describe("the user's object", () => {
  it("returns the new profile from track and publishes it to KV", async () => {
    await putSegments();
    const stub = stubFor("obj-user-1");
    const r = await stub.track(
      "obj-user-1",
      [1, 2, 3].map((i) => view(`e${i}`, { category: "auto" })),
    );
    expect(r.applied).toBe(3);
    expect(r.profile.segments).toEqual([{ id: "806", taxonomy: 4 }]);
    expect(await env.PROFILES.get("u:obj-user-1")).toBe(`1|${r.profile.ts}|4:806`);
    const again = await stub.track("obj-user-1", [view("e1", { category: "auto" })]);
    expect(again.applied).toBe(0);
  });

  it("lets a real-time membership lapse by alarm after its ttl and removes it from KV", async () => {
    await putSegments();
    const stub = stubFor("obj-user-2");
    const t0 = Date.now();
    await setClock(stub, t0);
    await stub.track("obj-user-2", [view("p1", { url: "/cars/a" })]);
    expect(await env.PROFILES.get("u:obj-user-2")).not.toBeNull();

    // An alarm before the ttl runs out changes nothing: memberships are not re-evaluated at random moments.
    await setClock(stub, t0 + 29 * DAY);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.current()).segments).toEqual([{ id: "244", taxonomy: 4 }]);
    // When the ttl runs out the rule (a view within 30d, edge bucket included) still holds: ttl 30d runs again.
    await setClock(stub, t0 + 30 * DAY);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.current()).segments).toEqual([{ id: "244", taxonomy: 4 }]);

    await setClock(stub, t0 + 60 * DAY);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.current()).segments).toEqual([]);
    expect(await env.PROFILES.get("u:obj-user-2")).toBeNull();
    // Nothing is left to lapse: the only alarm left is retention's, a retention period after the last event.
    const armed = await runInDurableObject(stub, (_o, state) => state.storage.getAlarm());
    expect(armed).toBe(t0 + Number(env.RETENTION_SECONDS) * 1000);
  });

  it("ignores an older or equal batch version and lets batch segments lapse after segmentTtl", async () => {
    const stub = stubFor("obj-user-3");
    const t0 = Date.now();
    await setClock(stub, t0);
    expect((await stub.applyBatch("obj-user-3", { version: 5, segments: ["607"], ttlMs: 3 * DAY, taxonomy: 4 })).applied).toBe(1);
    expect((await stub.applyBatch("obj-user-3", { version: 5, segments: ["999"], ttlMs: 3 * DAY })).applied).toBe(0);
    expect((await stub.applyBatch("obj-user-3", { version: 4, delete: true, ttlMs: 3 * DAY })).applied).toBe(0);
    expect((await stub.current()).segments).toEqual([{ id: "607", taxonomy: 4 }]);
    await setClock(stub, t0 + 3 * DAY + 1);
    await runDurableObjectAlarm(stub);
    expect((await stub.current()).segments).toEqual([]);
    expect(await env.PROFILES.get("u:obj-user-3")).toBeNull();
  });

  it("picks up a new rules version without a deploy, within its config refresh", async () => {
    const base = (await import("../../demo/segments.json")).default;
    await putSegments();
    const stub = stubFor("obj-user-5");
    const t0 = Date.now();
    await setClock(stub, t0);
    await stub.track("obj-user-5", [{ id: "s1", type: "signup", ts: t0, props: {} }]);
    expect((await stub.current()).segments).toEqual([]);
    const v2 = {
      ...base,
      version: 2,
      segments: [...base.segments, { id: "signed-up", name: "Signed up", ttl: "30d", rule: { event: "signup", within: "1d" } }],
    };
    expect((await putSegments(v2)).status).toBe(200);
    await setClock(stub, t0 + 11_000);
    await stub.track("obj-user-5", [{ id: "s2", type: "signup", ts: t0 + 11_000, props: {} }]);
    expect((await stub.current()).segments).toEqual([{ id: "signed-up" }]);
  });

  it("publishes at most once a second, coalescing a burst into one later write", async () => {
    await putSegments();
    const stub = stubFor("obj-user-4");
    const t0 = Date.now();
    await setClock(stub, t0);
    await stub.track("obj-user-4", [view("b1", { url: "/cars/a" })]);
    const first = await env.PROFILES.get("u:obj-user-4");
    await setClock(stub, t0 + 100);
    const r = await stub.track(
      "obj-user-4",
      [1, 2, 3].map((i) => view(`b-auto-${i}`, { category: "auto" })),
    );
    expect(r.profile.segments.map((s) => s.id)).toEqual(["244", "806"]);
    expect(await env.PROFILES.get("u:obj-user-4")).toBe(first);
    await setClock(stub, t0 + 1_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await env.PROFILES.get("u:obj-user-4")).toBe(`1|${r.profile.ts}|4:244,806`);
  });
});
