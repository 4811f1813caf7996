/** The single sync coordinator: which batch version is applied, which is in progress, and what each slice did. */
import { DurableObject } from "cloudflare:workers";
import type { SliceMessage } from "../sync/manifest";

export interface SyncStatus {
  appliedVersion: number;
  inProgress: null | {
    version: number;
    kind: "full" | "delta";
    slices: number;
    slicesDone: number;
    usersApplied: number;
    recordsRejected: number;
    startedAt: number;
  };
  /** A newer manifest seen while another version was running; it starts when that one is done. */
  waitingVersion: number | null;
  failures: number;
  deadLetters: { version: number; key: string; from: number; at: number }[];
  lastCompletedAt: number | null;
}

export type BeginOutcome = "start" | "running" | "queued" | "stale";

const MAX_DEAD_LETTERS_SHOWN = 50;

export class SyncCoordinator extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS slices_done (version INTEGER, key TEXT, start INTEGER, PRIMARY KEY (version, key, start));
    `);
  }

  private read(): SyncStatus {
    const row = this.ctx.storage.sql.exec<{ json: string }>("SELECT json FROM state WHERE id = 1").toArray()[0];
    if (row) return JSON.parse(row.json) as SyncStatus;
    return { appliedVersion: 0, inProgress: null, waitingVersion: null, failures: 0, deadLetters: [], lastCompletedAt: null };
  }

  private write(s: SyncStatus): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)", JSON.stringify(s));
  }

  async status(): Promise<SyncStatus> {
    return this.read();
  }

  /** Claims a version for syncing; only one runs at a time and an older or equal one never starts. */
  async begin(version: number, kind: "full" | "delta", slices: number): Promise<BeginOutcome> {
    const s = this.read();
    if (version <= s.appliedVersion) return "stale";
    if (s.inProgress) {
      if (s.inProgress.version === version) return "running";
      if (version > s.inProgress.version && version !== s.waitingVersion) {
        s.waitingVersion = version;
        this.write(s);
      }
      return "queued";
    }
    s.inProgress = { version, kind, slices, slicesDone: 0, usersApplied: 0, recordsRejected: 0, startedAt: Date.now() };
    if (s.waitingVersion !== null && s.waitingVersion <= version) s.waitingVersion = null;
    if (slices === 0) this.complete(s);
    else this.write(s);
    return "start";
  }

  /** Releases a claim whose messages could not be enqueued, so the next attempt starts it again. */
  async abandon(version: number): Promise<void> {
    const s = this.read();
    if (s.inProgress?.version !== version) return;
    s.inProgress = null;
    s.failures++;
    this.write(s);
  }

  /** Counts a finished slice once, however often the queue redelivers it. */
  async sliceDone(slice: SliceMessage, users: number, rejected: number): Promise<void> {
    const s = this.read();
    if (s.inProgress?.version !== slice.version) return;
    const sql = this.ctx.storage.sql;
    const inserted = sql.exec("INSERT OR IGNORE INTO slices_done (version, key, start) VALUES (?, ?, ?)", slice.version, slice.key, slice.from).rowsWritten;
    if (!inserted) return;
    s.inProgress.slicesDone++;
    s.inProgress.usersApplied += users;
    s.inProgress.recordsRejected += rejected;
    if (s.inProgress.slicesDone >= s.inProgress.slices) this.complete(s);
    else this.write(s);
  }

  /** A slice that exhausted its retries: shown in the status; its version stays in progress until re-run. */
  async deadLetter(slice: SliceMessage): Promise<void> {
    const s = this.read();
    s.failures++;
    s.deadLetters = [{ version: slice.version, key: slice.key, from: slice.from, at: Date.now() }, ...s.deadLetters].slice(0, MAX_DEAD_LETTERS_SHOWN);
    this.write(s);
  }

  private complete(s: SyncStatus): void {
    s.appliedVersion = s.inProgress!.version;
    s.inProgress = null;
    s.lastCompletedAt = Date.now();
    this.ctx.storage.sql.exec("DELETE FROM slices_done WHERE version <= ?", s.appliedVersion);
    this.write(s);
  }
}
