/** Retention: a user's object deletes its storage and KV record a retention period after its last activity. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserProfile } from "../../durable/user-profile";
import { putSegments, view } from "../support/helpers";
import { objectStorage } from "../support/object-storage";

const DAY = 86_400_000;
const RETENTION_MS = Number(env.RETENTION_SECONDS) * 1000;
type Stub = DurableObjectStub<UserProfile>;

async function setClock(stub: Stub, at: number): Promise<void> {
  await runInDurableObject(stub, (o: UserProfile) => void (o.now = () => at));
}

async function storage(stub: Stub): Promise<{ rows: number; alarm: number | null }> {
  const { rows, alarm } = await objectStorage(stub);
  return { rows, alarm };
}

describe("retention of a user's object", () => {
  it("deletes the object's storage and KV record a retention period after the last activity", async () => {
    await putSegments();
    const uid = "retained-1";
    const stub = env.USER_PROFILE.getByName(uid);
    const t0 = Date.now();
    await setClock(stub, t0);
    await stub.track(uid, [view("a1", { url: "/cars/a" })]);
    expect(await env.PROFILES.get(`u:${uid}`)).not.toBeNull();

    // Activity ten days later moves the deadline; the alarm armed earlier fires and re-arms.
    await setClock(stub, t0 + 10 * DAY);
    await stub.track(uid, [view("a2", { category: "news" })]);
    await setClock(stub, t0 + RETENTION_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.current()).eventsSeen).toBe(2);
    expect((await storage(stub)).alarm).toBe(t0 + 10 * DAY + RETENTION_MS);

    await setClock(stub, t0 + 10 * DAY + RETENTION_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storage(stub)).toEqual({ rows: 0, alarm: null });
    expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();
    expect(await stub.current()).toMatchObject({ segments: [], eventsSeen: 0, batchVersion: 0, erased: false });

    // Expiry is not erasure: the user may come back and be tracked afresh.
    expect((await stub.track(uid, [view("a1", { url: "/cars/a" })])).applied).toBe(1);
  });

  it("counts applied batch records as activity, and ignored ones not", async () => {
    const uid = "retained-2";
    const stub = env.USER_PROFILE.getByName(uid);
    const t0 = Date.now();
    await setClock(stub, t0);
    await stub.applyBatch(uid, { version: 3, segments: ["607"], ttlMs: 3 * DAY, taxonomy: 4 });
    await setClock(stub, t0 + 5 * DAY);
    // An equal version changes nothing, so it is no sign of life either.
    await stub.applyBatch(uid, { version: 3, segments: ["607"], ttlMs: 3 * DAY, taxonomy: 4 });
    await setClock(stub, t0 + RETENTION_MS - 1);
    await runDurableObjectAlarm(stub);
    expect((await stub.current()).batchVersion).toBe(3);
    await setClock(stub, t0 + RETENTION_MS);
    await runDurableObjectAlarm(stub);
    expect(await storage(stub)).toEqual({ rows: 0, alarm: null });
  });
});
