/** An object stored in the earlier layout (a row per id, counter cell and membership) moves to the current one on its next call, keeping everything. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserProfile } from "../../durable/user-profile";
import { putSegments, view } from "../support/helpers";
import { objectStorage } from "../support/object-storage";

const LEGACY = `
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE seen (id TEXT PRIMARY KEY, ts INTEGER NOT NULL);
CREATE INDEX seen_ts ON seen (ts);
CREATE TABLE counters (k TEXT NOT NULL, b INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (k, b));
CREATE TABLE realtime (segment TEXT PRIMARY KEY, until INTEGER NOT NULL, taxonomy INTEGER);
`;

describe("the earlier storage layout", () => {
  it("is read once, moved to the state row and the ids' day rows, and dropped", async () => {
    await putSegments();
    const uid = "legacy-user";
    const stub = env.USER_PROFILE.getByName(uid);
    const now = Date.now();
    const until = now + 86_400_000;
    const profile = {
      ts: now - 1_000,
      segments: [
        { id: "244", taxonomy: 4 },
        { id: "607", taxonomy: 4 },
      ],
    };
    await runInDurableObject(stub, (o: UserProfile, state) => {
      const sql = state.storage.sql;
      // The constructor has created the current tables, empty, as it does for an object stored earlier.
      sql.exec(LEGACY);
      const meta: [string, string][] = [
        ["uid", uid],
        ["active", String(now - 1_000)],
        ["batch", JSON.stringify({ version: 7, segments: [{ id: "607", taxonomy: 4 }], expires: until })],
        ["profile", JSON.stringify(profile)],
        ["published", JSON.stringify([`1|${profile.ts}|4:244,607`, now - 1_000])],
      ];
      for (const [k, v] of meta) sql.exec("INSERT INTO meta (k, v) VALUES (?, ?)", k, v);
      for (const id of ["old-1", "old-2"]) sql.exec("INSERT INTO seen (id, ts) VALUES (?, ?)", id, now - 5_000);
      sql.exec("INSERT INTO counters (k, b, n) VALUES (?, ?, ?)", "view|url^/cars/", Math.floor(now / 3_600_000), 2);
      sql.exec("INSERT INTO realtime (segment, until, taxonomy) VALUES (?, ?, ?)", "244", until, 4);
      (o as unknown as { reset(): void }).reset();
    });

    expect(await stub.current()).toMatchObject({ ...profile, batchVersion: 7, eventsSeen: 2, erased: false });
    const stored = await objectStorage(stub);
    expect(stored.seen).toEqual(["old-1", "old-2"]);
    expect(stored.state).toMatchObject({ uid, batchVersion: 7, published: `1|${profile.ts}|4:244,607` });
    expect(stored.state!.memberships.realtime.get("244")).toEqual({ until, taxonomy: 4 });
    expect(stored.state!.counters.size).toBe(1);
    const tables = await runInDurableObject(stub, (_o: UserProfile, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' ORDER BY name")
        .toArray()
        .map((r) => r.name),
    );
    expect(tables).toEqual(["seen_days", "state"]);
    // Remembered ids still dedupe; new ones count.
    expect((await stub.track(uid, [view("old-1", { url: "/cars/a" }), view("new-1", { url: "/cars/b" })])).applied).toBe(1);
  });
});
