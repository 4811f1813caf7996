/** Batch sync from the origin bucket, end to end: versions, deltas, deletes, manifests in order. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserProfile } from "../../durable/user-profile";
import { call, S2S } from "../support/helpers";
import { publishVersion } from "../support/origin";
import { cron, expectSegments, postSync, segmentsOf, syncStatus, users, waitForApplied } from "../support/sync-helpers";

const DAY = 86_400_000;

// One coordinator per file: the versions below grow from test to test.
describe("batch sync from the origin", () => {
  it("finds a gzip snapshot on cron, verifies and fans it out, and makes it visible in lookups", async () => {
    const all = users("snap", 30, (i) => ["607", `${1000 + (i % 3)}`]);
    await publishVersion(1, [all.slice(0, 20), all.slice(20)], { taxonomy: 4, gzip: true });
    await cron();
    const status = await waitForApplied(1);
    expect(status.lastRun).toMatchObject({
      version: 1,
      kind: "full",
      parts: 2,
      slices: 2,
      usersApplied: 30,
      usersUnchanged: 0,
      recordsRejected: 0,
      rejectedParts: [],
    });
    expect(status.inProgress).toBeNull();
    await expectSegments("snap-0", ["607", "1000"]);
    await expectSegments("snap-29", ["607", "1002"]);
    const ortb = await call(`/v1/users/snap-1/segments?format=ortb2`, { headers: S2S });
    expect(await ortb.json()).toEqual({
      user: { data: [{ name: env.PROVIDER_NAME, ext: { segtax: 4 }, segment: [{ id: "607" }, { id: "1001" }] }] },
    });
    // The staged copies of the gzip parts are gone once the version is applied.
    await expectSoon(async () => (await env.ORIGIN.list({ prefix: "edge-staging/" })).objects.length, 0);
  });

  it("starts nothing for the same version twice, even rewritten", async () => {
    await cron();
    expect((await syncStatus()).inProgress).toBeNull();
    expect((await postSync()).body).toMatchObject({ version: 1, outcome: "stale" });
    await publishVersion(1, [[{ uid: "snap-0", segments: ["999"] }]]);
    expect((await postSync()).body).toMatchObject({ version: 1, outcome: "stale" });
    expect(await segmentsOf("snap-0")).toEqual(["607", "1000"]);
  });

  it("applies a plain delta: upserts and deletes, others untouched", async () => {
    await publishVersion(
      2,
      [
        [
          { uid: "snap-0", segments: ["608"] },
          { uid: "snap-1", delete: true },
          { uid: "new-user", segments: ["610"] },
        ],
      ],
      { kind: "delta", taxonomy: 4 },
    );
    const started = await postSync();
    expect(started).toEqual({ status: 202, body: { version: 2, outcome: "start", parts: 1 } });
    await waitForApplied(2);
    await expectSegments("snap-0", ["608"]);
    await expectSegments("snap-1", []);
    await expectSegments("new-user", ["610"]);
    await expectSegments("snap-2", ["607", "1002"]);

    // An older version published after a newer one starts nothing and changes no one.
    await publishVersion(1, [
      [
        { uid: "snap-0", segments: ["older"] },
        { uid: "snap-1", segments: ["older"] },
      ],
    ]);
    await cron();
    expect((await postSync()).body).toMatchObject({ version: 1, outcome: "stale" });
    expect((await syncStatus()).appliedVersion).toBe(2);
    expect(await segmentsOf("snap-0")).toEqual(["608"]);
    expect(await segmentsOf("snap-1")).toEqual([]);
  });

  it("counts records that are not valid as rejected, applies the rest, and accepts an empty part", async () => {
    const part = [
      { uid: "ok-1", segments: ["1"] },
      { uid: "bad uid!", segments: ["2"] },
      { uid: "ok-2", segments: ["bad id"] },
    ];
    await publishVersion(3, [part, []], { kind: "delta" });
    await cron();
    const s = await waitForApplied(3);
    expect(s.lastRun).toMatchObject({ version: 3, usersApplied: 1, recordsRejected: 2, parts: 2, slices: 1 });
    await expectSegments("ok-1", ["1"]);
  });

  it("applies versions published while another ran in order, when the origin keeps versioned manifests", async () => {
    // v4 and v5 are deltas written one after the other; latest.json only names v5.
    await publishVersion(
      4,
      [
        [
          { uid: "ordered", segments: ["a"] },
          { uid: "ordered-2", segments: ["x"] },
        ],
      ],
      { kind: "delta", versioned: true },
    );
    await publishVersion(5, [[{ uid: "ordered", segments: ["b"] }]], { kind: "delta", versioned: true });
    await cron();
    await waitForApplied(5);
    await expectSegments("ordered", ["b"]);
    // Only v4 named ordered-2: without the versioned manifest it would have been skipped.
    await expectSegments("ordered-2", ["x"]);
  });

  it("lets segments of a user missing from a newer full snapshot lapse segmentTtl after their own version", async () => {
    await publishVersion(
      6,
      [
        [
          { uid: "stays", segments: ["s1"] },
          { uid: "goes", segments: ["g1"] },
        ],
      ],
      { segmentTtl: "2d" },
    );
    await cron();
    await waitForApplied(6);
    await publishVersion(7, [[{ uid: "stays", segments: ["s2"] }]], { segmentTtl: "2d" });
    await cron();
    await waitForApplied(7);
    await expectSegments("goes", ["g1"]);
    const goes = env.USER_PROFILE.getByName("goes");
    await runInDurableObject(goes, (o: UserProfile) => void (o.now = () => Date.now() + 2 * DAY + 1));
    expect(await runDurableObjectAlarm(goes)).toBe(true);
    expect((await goes.current()).segments).toEqual([]);
    await expectSegments("goes", []);
    await expectSegments("stays", ["s2"]);
  });
});

async function expectSoon(read: () => Promise<number>, value: number): Promise<void> {
  const { vi } = await import("vitest");
  await vi.waitFor(async () => expect(await read()).toBe(value), { timeout: 5_000, interval: 100 });
}
