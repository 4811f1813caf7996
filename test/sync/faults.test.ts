/** Sync under faults: corrupted and short parts, throwing consumers, dead letters and lost messages. */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { parseManifest } from "../../domain/manifest";
import { type ApplyMessage, MAX_BLANK_RUN_BYTES } from "../../domain/sync-messages";
import type { SyncCoordinator } from "../../durable/sync-coordinator";
import type { UserProfile } from "../../durable/user-profile";
import type { QueueName } from "../../sync/queues";
import { STAGE_BYTES, stagingHighWater } from "../../sync/staging";
import worker from "../../worker/index";
import { gzipRepeated, ndjson, publishVersion, sha256Hex } from "../support/origin";
import { cron, expectSegments, postSync, syncStatus, users, waitForApplied } from "../support/sync-helpers";

function failBatches(uid: string, times: number): Promise<void> {
  return runInDurableObject(env.USER_PROFILE.getByName(uid), (o: UserProfile) => {
    let n = 0;
    o.beforeBatch = () => {
      if (n++ < times) throw new Error("injected: Durable Object is overloaded");
    };
  });
}

/** The published record without its timestamp: what lookups serve. */
async function published(uid: string): Promise<string | undefined> {
  return (await env.PROFILES.get(`u:${uid}`))?.split("|").slice(2).join("|");
}

// Retries back off 2 s, then 4 s: these tests wait for real redeliveries.
describe("sync faults", { timeout: 30_000 }, () => {
  it("rejects a part whose sha256 or record count does not match, applies nothing from it, and applies the rest", async () => {
    const good = users("good", 5, () => ["100"]);
    const bad = users("bad", 5, () => ["200"]);
    const { keys } = await publishVersion(1, [good, bad], { gzip: true, corrupt: 1 });
    // A third, plain part whose manifest claims one record more than it has.
    const short = ndjson(users("short", 3, () => ["300"]));
    await env.ORIGIN.put("batches/v1/short.ndjson", short);
    const m = parseManifest(JSON.parse(await (await env.ORIGIN.get("manifests/latest.json"))!.text()));
    m.parts.push({ key: "batches/v1/short.ndjson", records: 4, sha256: await sha256Hex(short) });
    await env.ORIGIN.put("manifests/latest.json", JSON.stringify(m));

    await cron();
    const s = await waitForApplied(1);
    expect(s.lastRun).toMatchObject({ usersApplied: 5, parts: 3 });
    expect(s.rejectedParts).toEqual([
      {
        version: 1,
        key: keys[1],
        reason: expect.stringMatching(
          /^sha256 of batches\/v1\/part-1\.ndjson\.gz is [0-9a-f]{64}, the manifest says [0-9a-f]{64}: nothing from it is applied$/,
        ),
      },
      { version: 1, key: "batches/v1/short.ndjson", reason: "batches/v1/short.ndjson has 3 records, the manifest says 4" },
    ]);
    await expectSegments("good-4", ["100"]);
    for (const uid of ["bad-0", "bad-4", "short-0"]) {
      expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ segments: [], batchVersion: 0 });
    }
  });

  it("retries a slice whose consumer threw midway; the final state equals a clean run", async () => {
    const recs = (prefix: string) => users(prefix, 40, (i) => [`s${i % 4}`, "common"]);
    await failBatches("mid-7", 1);
    await failBatches("mid-31", 2);
    await publishVersion(2, [recs("mid"), recs("clean")], { kind: "delta", taxonomy: 4 });
    await cron();
    const s = await waitForApplied(2, 25_000);
    expect(s.lastRun!.failures).toBeGreaterThanOrEqual(2);
    expect(s.lastRun!.usersApplied + s.lastRun!.usersUnchanged).toBe(80);
    for (let i = 0; i < 40; i++) {
      const [mid, clean] = await Promise.all([
        env.USER_PROFILE.getByName(`mid-${i}`).current(),
        env.USER_PROFILE.getByName(`clean-${i}`).current(),
      ]);
      expect({ segments: mid.segments, batchVersion: mid.batchVersion }).toEqual({
        segments: clean.segments,
        batchVersion: clean.batchVersion,
      });
    }
    await vi.waitFor(
      async () => {
        for (const i of [0, 7, 31, 39]) expect(await published(`mid-${i}`)).toBe(await published(`clean-${i}`));
      },
      { timeout: 5_000, interval: 100 },
    );
  });

  it("shows progress and failures during a run, holds it open on a dead letter, and re-drives it on POST", async () => {
    await failBatches("dl-2", 1_000);
    await publishVersion(3, [users("dl", 5, () => ["7"])], { kind: "delta" });
    await cron();
    await vi.waitFor(async () => expect((await syncStatus()).inProgress?.failures).toBeGreaterThanOrEqual(1), {
      timeout: 10_000,
      interval: 50,
    });
    const during = await syncStatus();
    expect(during).toMatchObject({
      appliedVersion: 2,
      inProgress: { version: 3, kind: "delta", parts: 1, partsVerified: 1, slices: 1, slicesDone: 0 },
    });
    expect(during.inProgress!.lastError).toContain("injected");

    // The slice exhausts its retries: the dead-letter queue's consumer records it.
    const dead: ApplyMessage = {
      type: "apply",
      version: 3,
      part: 0,
      slice: 0,
      src: "batches/v3/part-0.ndjson",
      etag: "",
      offset: 0,
      length: 0,
      records: 5,
      at: 0,
      ttlMs: 0,
    };
    const batch = createMessageBatch("udn-sync-dlq" satisfies QueueName, [
      { id: "dead-1", timestamp: new Date(), attempts: 6, body: dead },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["dead-1"]);
    const held = await syncStatus();
    expect(held.appliedVersion).toBe(2);
    expect(held.deadLetters).toEqual([
      {
        version: 3,
        step: "apply",
        key: "batches/v3/part-0.ndjson",
        part: 0,
        slice: 0,
        records: 5,
        at: expect.any(Number),
        error: expect.stringContaining("injected"),
      },
    ]);

    await runInDurableObject(env.USER_PROFILE.getByName("dl-2"), (o: UserProfile) => void (o.beforeBatch = () => {}));
    const redrive = await postSync();
    expect(redrive.body).toMatchObject({ version: 3, outcome: "running", redriven: 1 });
    const after = await waitForApplied(3);
    expect(after.deadLetters).toEqual([]);
    // Records applied by the failed attempts are no-ops on the re-driven one.
    expect(after.lastRun!.usersApplied + after.lastRun!.usersUnchanged).toBe(5);
    await expectSegments("dl-2", ["7"]);
  });

  it("resumes a run whose queue messages were lost, then starts the newer version that waited its turn", async () => {
    await publishVersion(4, [users("resume", 3, () => ["r4"])], { kind: "delta" });
    const m4 = parseManifest(JSON.parse(await (await env.ORIGIN.get("manifests/latest.json"))!.text()));
    // The coordinator claimed v4 and marked its verify step sent, then died before the message left.
    await runInDurableObject(env.SYNC_COORDINATOR.getByName("global"), (o: SyncCoordinator) => {
      const inner = o as unknown as { begin(m: unknown): void; ctx: DurableObjectState };
      inner.begin(m4);
      inner.ctx.storage.sql.exec("UPDATE parts SET state = 'verifying', sent_at = 0");
    });
    await publishVersion(5, [users("resume", 3, () => ["r5"]).slice(0, 1)], { kind: "delta" });
    expect((await syncStatus()).inProgress).toMatchObject({ version: 4, partsVerified: 0, slicesDone: 0 });

    const tick = await postSync();
    expect(tick.body).toMatchObject({ version: 4, outcome: "running", waitingVersion: 5 });
    await waitForApplied(5);
    await expectSegments("resume-0", ["r5"]);
    await expectSegments("resume-2", ["r4"]);
    expect((await syncStatus()).waitingVersion).toBeNull();
  });

  it("rejects a part named .gz that is not gzip, and one with a line too long to be a record", async () => {
    const notGzip = ndjson(users("notgz", 2, () => ["1"]));
    const long = new TextEncoder().encode(`{"uid":"long","segments":["${"x".repeat(300 * 1024)}"]}\n`);
    await env.ORIGIN.put("batches/v6/a.ndjson.gz", notGzip);
    await env.ORIGIN.put("batches/v6/b.ndjson", long);
    const parts = [
      { key: "batches/v6/a.ndjson.gz", records: 2, sha256: await sha256Hex(notGzip) },
      { key: "batches/v6/b.ndjson", records: 1, sha256: await sha256Hex(long) },
    ];
    await env.ORIGIN.put("manifests/latest.json", JSON.stringify({ version: 6, kind: "delta", parts, segmentTtl: "1d" }));
    await cron();
    const s = await waitForApplied(6);
    expect(s.rejectedParts.map((p) => p.reason)).toEqual([
      expect.stringMatching(/^batches\/v6\/a\.ndjson\.gz is not readable NDJSON \(gzip\): /),
      "batches/v6/b.ndjson is not readable NDJSON: record 1 is longer than 262144 bytes",
    ]);
    expect(s.lastRun).toMatchObject({ usersApplied: 0, failures: 0 });
  });

  it("rejects a small gzip part that inflates to a long run of blank lines, without ever holding it", async () => {
    const MB = 1024 * 1024;
    const rec = (uid: string) => ndjson([{ uid, segments: ["1"] }]);
    // 64 MB of newlines between two records: a few dozen KB compressed, and its sha256 matches.
    const bomb = await gzipRepeated(rec("blank-0"), new Uint8Array(MB).fill(10), 64, rec("blank-1"));
    expect(bomb.length).toBeLessThan(MB / 8);
    const good = ndjson(users("beside", 2, () => ["8"]));
    await env.ORIGIN.put("batches/v7/blank.ndjson.gz", bomb);
    await env.ORIGIN.put("batches/v7/good.ndjson", good);
    const parts = [
      { key: "batches/v7/blank.ndjson.gz", records: 2, sha256: await sha256Hex(bomb) },
      { key: "batches/v7/good.ndjson", records: 2, sha256: await sha256Hex(good) },
    ];
    await env.ORIGIN.put("manifests/latest.json", JSON.stringify({ version: 7, kind: "delta", parts, segmentTtl: "1d" }));
    stagingHighWater.bytes = 0;
    await cron();
    const s = await waitForApplied(7);
    expect(s.rejectedParts).toEqual([
      {
        version: 7,
        key: "batches/v7/blank.ndjson.gz",
        reason: `batches/v7/blank.ndjson.gz is not readable NDJSON (gzip): blank lines after record 1 add up to more than ${MAX_BLANK_RUN_BYTES} bytes`,
      },
    ]);
    expect(s.lastRun).toMatchObject({ usersApplied: 2, failures: 0 });
    expect(stagingHighWater.bytes).toBeGreaterThan(0);
    expect(stagingHighWater.bytes).toBeLessThanOrEqual(STAGE_BYTES);
    await expectSegments("beside-1", ["8"]);
    expect(await env.USER_PROFILE.getByName("blank-0").current()).toMatchObject({ segments: [], batchVersion: 0 });
  });
});
