import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { profileCache } from "../../worker/profile-lookup";
import { ADMIN, call, S2S } from "./helpers";
import { publishVersion } from "./origin";

async function cron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function syncStatus(): Promise<{ appliedVersion: number; inProgress: unknown }> {
  return (await (await call("/v1/admin/sync", { headers: ADMIN })).json()) as { appliedVersion: number; inProgress: unknown };
}

async function segmentsOf(uid: string): Promise<string[]> {
  const res = await call(`/v1/users/${uid}/segments`, { headers: S2S });
  return ((await res.json()) as { segments: string[] }).segments;
}

describe("batch sync from the origin", () => {
  it("finds a new snapshot on cron, fans it out through the queue and makes it visible in lookups", async () => {
    const users = Array.from({ length: 30 }, (_, i) => ({ uid: `batch-user-${i}`, segments: ["607", `${1000 + (i % 3)}`] }));
    await publishVersion(1, [users.slice(0, 20), users.slice(20)], { taxonomy: 4, gzip: true });
    await cron();
    await vi.waitFor(async () => expect((await syncStatus()).appliedVersion).toBe(1), { timeout: 10_000, interval: 100 });
    expect(await segmentsOf("batch-user-0")).toEqual(["607", "1000"]);
    expect(await segmentsOf("batch-user-29")).toEqual(["607", "1002"]);
    const ortb = await call(`/v1/users/batch-user-1/segments?format=ortb2`, { headers: S2S });
    expect(await ortb.json()).toEqual({
      user: { data: [{ name: env.PROVIDER_NAME, ext: { segtax: 4 }, segment: [{ id: "607" }, { id: "1001" }] }] },
    });

    // The same manifest again starts nothing; a delta upserts and deletes.
    await cron();
    expect((await syncStatus()).inProgress).toBeNull();
    await publishVersion(2, [[{ uid: "batch-user-0", segments: ["608"] }, { uid: "batch-user-1", delete: true }]], { kind: "delta", taxonomy: 4 });
    const started = await call("/v1/admin/sync", { method: "POST", headers: ADMIN });
    expect(started.status).toBe(202);
    await vi.waitFor(async () => expect((await syncStatus()).appliedVersion).toBe(2), { timeout: 10_000, interval: 100 });
    // Batch updates reach edges through KV: this isolate's cache still holds version 1 until its soft TTL.
    expect(await segmentsOf("batch-user-0")).toEqual(["607", "1000"]);
    profileCache.clear();
    expect(await segmentsOf("batch-user-0")).toEqual(["608"]);
    expect(await segmentsOf("batch-user-1")).toEqual([]);
    expect(await segmentsOf("batch-user-2")).toEqual(["607", "1002"]);
  });
});
