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
  /** Drops the object's in-memory copy, as an eviction does: the next call loads from storage. */
  const evict = () => runInDurableObject(stub, (o: UserProfile) => (o as unknown as { reset(): void }).reset());
  return { stub, measure, evict };
}

const eventCall: Metered = {
  read: OBJECT_SQL.writtenPerEventCall * OBJECT_SQL.readPerWrittenRow,
  written: OBJECT_SQL.writtenPerEventCall,
  bytes: 0,
};

describe("the user's object storage cost per call (demo rules)", () => {
  beforeEach(async () => {
    await putSegments();
  });

  it("writes the same rows for a call of one event or of many, matching one pattern or several", async () => {
    const { measure } = await metered("cost-a");
    await measure((s) => s.track("cost-a", [view("first", { url: "/news/0" })]));
    const calls = [
      [view("a1", { url: "/news/1" })],
      [1, 2, 3, 4, 5].map((i) => view(`b${i}`, { url: "/news/2" })),
      // Two patterns (category and url), then 40 events at once.
      [view("c1", { category: "auto", url: "/news/3" })],
      Array.from({ length: 40 }, (_, i) => view(`d${i}`, { category: "auto" })),
    ];
    for (const events of calls) {
      expect(await measure((s) => s.track("cost-a", events))).toMatchObject({ read: eventCall.read, written: eventCall.written });
    }
    // Known events only: the state row (the last activity) alone.
    const duplicate = await measure((s) => s.track("cost-a", [view("a1", { url: "/news/1" })]));
    expect(duplicate.written).toBe(OBJECT_SQL.writtenPerStateCall);
  });

  it("writes no more when the profile changes and publishes, or while a real-time segment holds", async () => {
    const { stub, measure } = await metered("cost-b");
    await measure((s) => s.track("cost-b", [view("first", { url: "/news/0" })]));
    // A view under /cars/ qualifies segment 244: the profile changes and is published.
    const change = await measure((s) => s.track("cost-b", [view("c2", { url: "/cars/suv" })]));
    expect(change).toMatchObject({ read: eventCall.read, written: eventCall.written });
    expect((await stub.current()).published).toMatch(/244/);
    const after = await measure((s) => s.track("cost-b", [view("c3", { url: "/news/3" })]));
    expect(after).toMatchObject({ read: eventCall.read, written: eventCall.written });
  });

  it("reads its rows once when it comes back into memory, however many ids it remembers", async () => {
    const { measure, evict } = await metered("cost-c");
    for (let i = 0; i < 30; i++) await measure((s) => s.track("cost-c", [view(`h${i}`, { url: "/news/h" })]));
    const warm = await measure((s) => s.track("cost-c", [view("warm", { url: "/news/h" })]));
    expect(warm.read).toBe(eventCall.read);
    await evict();
    const cold = await measure((s) => s.track("cost-c", [view("cold", { url: "/news/h" })]));
    expect(cold.read).toBe(eventCall.read + OBJECT_SQL.readPerColdLoad);
  });

  it("writes the state row alone for a batch record, and stays a small file", async () => {
    const { measure } = await metered("cost-d");
    await measure((s) => s.track("cost-d", [view("first", { url: "/news/0" })]));
    const batch = await measure((s) => s.applyBatch("cost-d", { version: 3, segments: ["607", "608"], ttlMs: 86_400_000, taxonomy: 4 }));
    expect(batch.written).toBe(OBJECT_SQL.writtenPerStateCall);
    expect(batch.bytes).toBe(OBJECT_SQL.bytesPerSmallObject);
  });
});
