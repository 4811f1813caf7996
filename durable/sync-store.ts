/** The sync coordinator's SQLite state, read and summarised: the run, counts by state, totals, and the status operators see. */
import type { DeadLetter, RejectedPart, RunProgress, SyncStatus } from "./sync-status";

export const MAX_SHOWN = 50;

export type RunRow = {
  version: number;
  kind: "full" | "delta";
  ttl_ms: number;
  taxonomy: number | null;
  started_at: number;
  users_applied: number;
  users_unchanged: number;
  records_rejected: number;
  failures: number;
  last_error: string | null;
};

export type SliceRow = { part: number; slice: number; src: string; etag: string; off: number; length: number; records: number };

export class SyncStore {
  constructor(private readonly sql: SqlStorage) {}

  status(): SyncStatus {
    const run = this.run();
    const sql = this.sql;
    let inProgress: RunProgress | null = null;
    const rejected: RejectedPart[] = [];
    const dead: DeadLetter[] = [];
    if (run) {
      const parts = this.countBy("parts");
      const slices = this.countBy("slices");
      inProgress = {
        version: run.version,
        kind: run.kind,
        startedAt: run.started_at,
        parts: this.count("parts"),
        partsVerified: parts.verified ?? 0,
        partsRejected: parts.rejected ?? 0,
        slices: Object.entries(slices).reduce((n, [state, c]) => (state === "hold" ? n : n + c), 0),
        slicesDone: slices.done ?? 0,
        usersApplied: run.users_applied,
        usersUnchanged: run.users_unchanged,
        recordsRejected: run.records_rejected,
        failures: run.failures,
        lastError: run.last_error,
      };
      for (const p of sql.exec<{ key: string; reason: string }>(
        "SELECT key, reason FROM parts WHERE state = 'rejected' ORDER BY part LIMIT ?",
        MAX_SHOWN,
      )) {
        rejected.push({ version: run.version, key: p.key, reason: p.reason });
      }
      for (const p of sql.exec<{ part: number; key: string; records: number; dead_at: number; error: string | null }>(
        "SELECT part, key, records, dead_at, error FROM parts WHERE state = 'dead' ORDER BY part LIMIT ?",
        MAX_SHOWN,
      )) {
        dead.push({
          version: run.version,
          step: "verify",
          key: p.key,
          part: p.part,
          slice: null,
          records: p.records,
          at: p.dead_at,
          error: p.error,
        });
      }
      for (const s of sql.exec<{ part: number; slice: number; key: string; records: number; dead_at: number; error: string | null }>(
        "SELECT s.part, s.slice, p.key, s.records, s.dead_at, s.error FROM slices s JOIN parts p USING (part) WHERE s.state = 'dead' ORDER BY s.part, s.slice LIMIT ?",
        MAX_SHOWN,
      )) {
        dead.push({
          version: run.version,
          step: "apply",
          key: s.key,
          part: s.part,
          slice: s.slice,
          records: s.records,
          at: s.dead_at,
          error: s.error,
        });
      }
    }
    const lastRun = this.meta("lastRun");
    const last = lastRun ? (JSON.parse(lastRun) as NonNullable<SyncStatus["lastRun"]>) : null;
    return {
      appliedVersion: this.applied(),
      inProgress,
      waitingVersion: this.waiting(),
      failures: Number(this.meta("failures") ?? 0),
      deadLetters: dead,
      rejectedParts: rejected.length ? rejected : (last?.rejectedParts ?? []),
      lastRun: last,
      lastCompletedAt: last?.finishedAt ?? null,
      lastError: run ? run.last_error : (this.meta("lastError") ?? null),
    };
  }

  run(): RunRow | undefined {
    return this.sql.exec<RunRow>("SELECT * FROM run WHERE id = 1").toArray()[0];
  }

  count(table: "parts" | "slices", state?: string): number {
    const where = state === undefined ? "" : " WHERE state = ?";
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}${where}`, ...(state === undefined ? [] : [state])).one().n;
  }

  countBy(table: "parts" | "slices"): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.sql.exec<{ state: string; n: number }>(`SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state`))
      out[r.state] = r.n;
    return out;
  }

  applied(): number {
    return Number(this.meta("applied") ?? 0);
  }

  waiting(): number | null {
    const w = this.meta("waiting");
    return w === undefined ? null : Number(w);
  }

  meta(k: string): string | undefined {
    return this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v;
  }

  setMeta(k: string, v: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", k, v);
  }
}
