/** Opt-out and erasure looked for in every tier, with events, a sync and a pending publish around them. */
import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { emptyState } from "../../durable/profile-state";
import type { UserProfile } from "../../durable/user-profile";
import { signUid } from "../../worker/identity/signed-ids";
import worker from "../../worker/index";
import { profileCache } from "../../worker/isolate";
import { ADMIN, call, postEvents, putSegments, S2S, view } from "../support/helpers";
import { objectStorage } from "../support/object-storage";
import { publishVersion } from "../support/origin";

type Stub = DurableObjectStub<UserProfile>;

/** A user known in every tier: events applied, a real-time and a batch segment, a KV record. */
async function knownUser(uid: string): Promise<{ cookie: string; stub: Stub }> {
  await putSegments();
  const cookie = `udn_id=${await signUid(uid, env.UID_SECRET)}`;
  await postEvents(cookie, [view(`${uid}-1`, { url: "/cars/a" })]);
  const stub = env.USER_PROFILE.getByName(uid);
  await stub.applyBatch(uid, { version: 1, segments: ["607"], ttlMs: 86_400_000, taxonomy: 4 });
  const before = await objectStorage(stub);
  expect(before.seen).toHaveLength(1);
  expect(before.state!.counters.size).toBeGreaterThan(0);
  expect(before.state!.memberships.realtime.size).toBe(1);
  expect((await stub.current()).segments.map((s) => s.id)).toEqual(["244", "607"]);
  expect(await env.PROFILES.get(`u:${uid}`)).not.toBeNull();
  return { cookie, stub };
}

/** The object keeps only its tombstone; KV has no record; lookups answer nothing. */
async function expectGoneEverywhere(uid: string, stub: Stub): Promise<void> {
  // This isolate's read-behind cache: no entry, or only the negative one a lookup below left.
  expect(profileCache.fallback(uid) ?? null).toBeNull();
  // Only the tombstone: the uid and when it was erased, everything else as for a user never seen.
  const after = await objectStorage(stub);
  expect(after.seen).toEqual([]);
  expect(after.rows).toBe(1);
  expect({ ...after.state, erasedAt: 0 }).toEqual({ ...emptyState(), uid });
  expect(after.state!.erasedAt).toBeGreaterThan(0);
  expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();
  const s2s = await call(`/v1/users/${uid}/segments`, { headers: S2S });
  expect(await s2s.json()).toEqual({ segments: [], ts: 0 });
  const lookup = await call("/v1/lookup", { method: "POST", headers: S2S, body: JSON.stringify({ uids: [uid] }) });
  expect(await lookup.json()).toEqual({ results: { [uid]: [] } });
}

async function syncVersion(version: number, uid: string): Promise<void> {
  await publishVersion(
    version,
    [
      [
        { uid, segments: ["608"] },
        { uid: `bystander-${version}`, segments: ["608"] },
      ],
    ],
    { taxonomy: 4 },
  );
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
  await vi.waitFor(
    async () =>
      expect(((await (await call("/v1/admin/sync", { headers: ADMIN })).json()) as { appliedVersion: number }).appliedVersion).toBe(
        version,
      ),
    { timeout: 10_000, interval: 100 },
  );
}

describe("opt-out and erasure reach every tier", () => {
  it("opt-out empties the object, removes the KV record, and neither events nor a batch bring the user back", async () => {
    const uid = "E".repeat(22);
    const { cookie, stub } = await knownUser(uid);
    expect((await call("/v1/optout", { headers: { Cookie: cookie } })).status).toBe(200);
    await expectGoneEverywhere(uid, stub);

    // The id cookie replayed from elsewhere (no udn_optout there) is answered but not recorded.
    expect((await postEvents(cookie, [view(`${uid}-2`, { url: "/cars/b" })])).status).toBe(202);
    // A batch naming the user goes through the real sync path: origin, cron, queue, object.
    await syncVersion(1, uid);
    expect(await env.PROFILES.get("u:bystander-1")).not.toBeNull();
    await expectGoneEverywhere(uid, stub);
  });

  it("DELETE /v1/users/{uid} does the same for a server caller", async () => {
    const uid = "F".repeat(22);
    const { cookie, stub } = await knownUser(uid);
    const res = await call(`/v1/users/${uid}`, { method: "DELETE", headers: S2S });
    expect(await res.json()).toEqual({ erased: true });
    await expectGoneEverywhere(uid, stub);
    await postEvents(cookie, [view(`${uid}-2`, { url: "/cars/b" })]);
    await syncVersion(2, uid);
    await expectGoneEverywhere(uid, stub);
    // Erasing again is harmless.
    expect((await call(`/v1/users/${uid}`, { method: "DELETE", headers: S2S })).status).toBe(200);
    await expectGoneEverywhere(uid, stub);
  });

  it("a publish still waiting for its second when the user is erased never lands", async () => {
    await putSegments();
    const uid = "erase-pending";
    const stub = env.USER_PROFILE.getByName(uid);
    const t0 = Date.now();
    await runInDurableObject(stub, (o: UserProfile) => void (o.now = () => t0));
    await stub.track(uid, [view("p1", { url: "/cars/a" })]);
    await runInDurableObject(stub, (o: UserProfile) => void (o.now = () => t0 + 100));
    // Inside the same second: this change waits for the alarm.
    await stub.track(
      uid,
      [1, 2, 3].map((i) => view(`p-auto-${i}`, { category: "auto" })),
    );
    await call(`/v1/users/${uid}`, { method: "DELETE", headers: S2S });
    await runInDurableObject(stub, (o: UserProfile) => void (o.now = () => t0 + 2_000));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await expectGoneEverywhere(uid, stub);
  });
});
