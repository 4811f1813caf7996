/** Drives the sync tier the way the runtime does: cron, the admin API, and waiting for the real queue consumer. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { SyncStatus } from "../../durable/sync-status";
import worker from "../../worker/index";
import { profileCache } from "../../worker/isolate";
import { ADMIN, call, S2S } from "./helpers";

export async function cron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

export async function syncStatus(): Promise<SyncStatus> {
  return (await (await call("/v1/admin/sync", { headers: ADMIN })).json()) as SyncStatus;
}

export async function postSync(): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await call("/v1/admin/sync", { method: "POST", headers: ADMIN });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function waitForApplied(version: number, timeout = 15_000): Promise<SyncStatus> {
  await vi.waitFor(async () => expect((await syncStatus()).appliedVersion).toBe(version), { timeout, interval: 50 });
  return syncStatus();
}

/**
 * What KV serves for the user now: the isolate's own cache entry is dropped first, as on an edge that has
 * not looked the user up yet (batch changes reach caches through KV; the cache has its own tests).
 */
export async function segmentsOf(uid: string): Promise<string[]> {
  profileCache.delete(uid);
  const res = await call(`/v1/users/${uid}/segments`, { headers: S2S });
  return ((await res.json()) as { segments: string[] }).segments;
}

/** KV publishes at most once a second per user, so a lookup may trail the object by that much. */
export async function expectSegments(uid: string, segments: string[]): Promise<void> {
  await vi.waitFor(async () => expect(await segmentsOf(uid)).toEqual(segments), { timeout: 5_000, interval: 100 });
}

export const users = (prefix: string, n: number, segs: (i: number) => string[]) =>
  Array.from({ length: n }, (_, i) => ({ uid: `${prefix}-${i}`, segments: segs(i) }));
