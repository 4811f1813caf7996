/** Reads a user's object stored in the earlier layout (a row per event id, counter cell and membership), to move it to the current one. */
import type { SegmentRef } from "../domain/profile-record";
import type { SeenIds } from "../domain/seen-ids";
import { emptyState, type ProfileState } from "./profile-state";

const TABLES = ["meta", "seen", "counters", "realtime"] as const;

/** Whether the object still holds the earlier layout's tables. */
export function hasLegacyLayout(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;
}

/** The earlier layout's state, its event ids added to `seen` (as arrived now: they are remembered at least as long). */
export function readLegacyLayout(sql: SqlStorage, seen: SeenIds, now: number): ProfileState {
  const s = emptyState();
  const meta = new Map(
    sql
      .exec<{ k: string; v: string }>("SELECT k, v FROM meta")
      .toArray()
      .map((r) => [r.k, r.v]),
  );
  s.uid = meta.get("uid") ?? "";
  s.erasedAt = Number(meta.get("erased") ?? 0);
  s.lastActive = Number(meta.get("active") ?? 0);
  s.provisional = meta.has("provisional");
  if (meta.has("batch")) {
    const b = JSON.parse(meta.get("batch")!) as { version: number; segments: SegmentRef[]; expires: number };
    s.batchVersion = b.version;
    s.memberships.batch = { segments: b.segments, expires: b.expires };
  }
  if (meta.has("profile")) s.profile = JSON.parse(meta.get("profile")!) as ProfileState["profile"];
  if (meta.has("published")) {
    [s.published, s.publishedAt, s.publishFailures = 0] = JSON.parse(meta.get("published")!) as [string, number, number?];
  }
  for (const r of sql.exec<{ segment: string; until: number; taxonomy: number | null }>("SELECT * FROM realtime")) {
    s.memberships.realtime.set(r.segment, r.taxonomy === null ? { until: r.until } : { until: r.until, taxonomy: r.taxonomy });
  }
  for (const r of sql.exec<{ k: string; b: number; n: number }>("SELECT k, b, n FROM counters")) {
    let cells = s.counters.get(r.k);
    if (!cells) s.counters.set(r.k, (cells = new Map()));
    cells.set(r.b, r.n);
  }
  for (const r of sql.exec<{ id: string }>("SELECT id FROM seen ORDER BY ts")) seen.add(r.id, now);
  return s;
}

export function dropLegacyLayout(sql: SqlStorage): void {
  for (const t of TABLES) sql.exec(`DROP TABLE IF EXISTS ${t}`);
}
