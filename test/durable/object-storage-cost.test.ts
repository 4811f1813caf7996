/** SQLite rows a user's object reads and writes per call, as Durable Objects bill them: the figures the cost model uses (sim/cost/measured.ts). */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { UserProfile } from "../../durable/user-profile";
import { OBJECT_SQL } from "../../sim/cost/measured";
import { putSegments, view } from "../support/helpers";

interface Metered {
  read: number;
  written: number;
  bytes: number;
}

/**
 * Wraps the object's `sql.exec` to keep every cursor, then sums their row counters per call. Only SQL is
 * seen: a `setAlarm` (billed as one row written when the alarm moves earlier) is not counted here.
 */
async function metered(uid: string) {
  const stub = env.USER_PROFILE.getByName(uid);
  let clock = Date.now();
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  await runInDurableObject(stub, (o: UserProfile, state) => {
    o.now = () => clock;
    const sql = state.storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      const c = exec(query, ...bindings);
      cursors.push(c);
      return c;
    }) as typeof sql.exec;
  });
  /** Runs one call two seconds after the previous one (past the publish interval), and meters it. */
  async function measure(call: (s: typeof stub) => Promise<unknown>): Promise<Metered> {
    clock += 2_000;
    cursors.length = 0;
    await call(stub);
    return runInDurableObject(stub, (_o: UserProfile, state) => ({
      read: cursors.reduce((n, c) => n + c.rowsRead, 0),
      written: cursors.reduce((n, c) => n + c.rowsWritten, 0),
      bytes: state.storage.sql.databaseSize,
    }));
  }
  const seen = async () => (await stub.current()).eventsSeen;
  return { stub, measure, seen };
}

describe("the user's object storage cost per call (demo rules)", () => {
  beforeEach(async () => {
    await putSegments();
  });

  it("writes a fixed row per call and a fixed number per new event matching one rule pattern", async () => {
    const { measure } = await metered("cost-a");
    await measure((s) => s.track("cost-a", [view("first", { url: "/news/0" })]));
    const one = await measure((s) => s.track("cost-a", [view("a1", { url: "/news/1" })]));
    expect(one.written).toBe(OBJECT_SQL.writtenPerCall + OBJECT_SQL.writtenPerEvent);
    const five = await measure((s) =>
      s.track(
        "cost-a",
        [1, 2, 3, 4, 5].map((i) => view(`b${i}`, { url: "/news/2" })),
      ),
    );
    expect(five.written).toBe(OBJECT_SQL.writtenPerCall + 5 * OBJECT_SQL.writtenPerEvent);
    const duplicate = await measure((s) => s.track("cost-a", [view("a1", { url: "/news/1" })]));
    expect(duplicate.written).toBe(OBJECT_SQL.writtenPerCall);
  });

  it("writes a counter cell per further pattern, and the memberships and meta rows when the profile changes", async () => {
    const { measure } = await metered("cost-b");
    await measure((s) => s.track("cost-b", [view("first", { url: "/news/0" })]));
    const twoPatterns = await measure((s) => s.track("cost-b", [view("c1", { category: "auto" })]));
    expect(twoPatterns.written).toBe(OBJECT_SQL.writtenPerCall + OBJECT_SQL.writtenPerEvent + OBJECT_SQL.writtenPerExtraPattern);
    // A view under /cars/ qualifies segment 244: the profile changes and is published.
    const change = await measure((s) => s.track("cost-b", [view("c2", { url: "/cars/suv" })]));
    const base = OBJECT_SQL.writtenPerCall + OBJECT_SQL.writtenPerEvent + OBJECT_SQL.writtenPerExtraPattern;
    expect(change.written).toBe(base + OBJECT_SQL.writtenPerQualifyingSegment + OBJECT_SQL.writtenOnChange);
    // While 244's rule holds, every call re-writes its membership row, changed or not.
    const after = await measure((s) => s.track("cost-b", [view("c3", { url: "/news/3" })]));
    expect(after.written).toBe(OBJECT_SQL.writtenPerCall + OBJECT_SQL.writtenPerEvent + OBJECT_SQL.writtenPerQualifyingSegment);
  });

  it("reads every remembered event id on every call (it counts them)", async () => {
    const { measure, seen } = await metered("cost-c");
    for (let i = 0; i < 30; i++) await measure((s) => s.track("cost-c", [view(`h${i}`, { url: "/news/h" })]));
    const call = await measure((s) => s.track("cost-c", [view("last", { url: "/news/h" })]));
    expect(await seen()).toBe(31);
    expect(call.read).toBe(OBJECT_SQL.readPerCall + 31 * OBJECT_SQL.readPerRememberedId);
  });

  it("writes a fixed number of rows per batch record that changes the user's batch segments", async () => {
    const { measure } = await metered("cost-d");
    await measure((s) => s.track("cost-d", [view("first", { url: "/news/0" })]));
    const batch = await measure((s) => s.applyBatch("cost-d", { version: 3, segments: ["607", "608"], ttlMs: 86_400_000, taxonomy: 4 }));
    expect(batch.written).toBe(OBJECT_SQL.writtenPerBatchApply);
    expect(batch.bytes).toBe(OBJECT_SQL.bytesPerSmallObject);
  });
});
