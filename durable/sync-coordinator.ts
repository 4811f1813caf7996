/**
 * The single sync coordinator. It finds the next batch version, hands out its work through the queue
 * a window at a time (verify each part, then apply its slices), and records what every part and slice
 * did, so a restart resumes where the last one stopped and one version runs at a time.
 */
import { DurableObject } from "cloudflare:workers";
import { parseDuration } from "../domain/duration";
import { logEvent, redact } from "../domain/log";
import type { Manifest } from "../domain/manifest";
import { stagingPrefix } from "../domain/staging-keys";
import type { ApplyMessage, PlannedSlice, SyncMessage } from "../domain/sync-messages";
import { findManifest } from "./find-manifest";
import { SYNC_SCHEMA } from "./sync-coordinator-schema";
import type { SyncOutcome, SyncStatus } from "./sync-status";
import { MAX_SHOWN, type SliceRow, SyncStore } from "./sync-store";

/** Parts verified at once: each streams a whole part. */
export const PART_WINDOW = 4;
/** Slices on the queue at once: enough to keep consumers busy, few enough that a restart re-sends little. */
export const SLICE_WINDOW = 64;
/** A step sent this long ago without an answer is sent again (the queue lost it, or its consumer died). */
export const STALL_MS = 20 * 60_000;
/** Queue `sendBatch` takes at most 100 messages. */
const SEND_BATCH = 100;

export class SyncCoordinator extends DurableObject<Env> {
  /** The coordinator's clock; tests replace it to make steps look stalled. */
  now: () => number = Date.now;

  private readonly store: SyncStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SYNC_SCHEMA);
    this.store = new SyncStore(ctx.storage.sql);
  }

  /**
   * Cron and `POST /v1/admin/sync`: starts the next version if none runs; otherwise re-sends stalled
   * steps (and, with `redrive`, dead ones) and notes a newer version waiting.
   */
  async tick(opts: { redrive?: boolean } = {}): Promise<SyncOutcome> {
    const running = this.run();
    if (running) {
      const redriven = opts.redrive ? this.redrive() : 0;
      this.recoverStalled();
      await this.pump();
      const found = await findManifest(this.env.ORIGIN, running.version);
      if (found && "manifest" in found && found.manifest.version > running.version && this.run()?.version === running.version) {
        this.setMeta("waiting", String(found.manifest.version));
      }
      return { version: running.version, outcome: "running", parts: this.count("parts"), redriven, waitingVersion: this.waiting() };
    }
    const applied = this.applied();
    const found = await findManifest(this.env.ORIGIN, applied);
    if (!found) return { version: null, outcome: "no-manifest", parts: 0 };
    this.ctx.storage.sql.exec("DELETE FROM meta WHERE k = 'lastError'");
    if ("error" in found) {
      this.fail(null, found.error);
      return { version: null, outcome: "invalid-manifest", parts: 0, error: found.error };
    }
    const m = found.manifest;
    // Another tick may have started a run while this one awaited the origin.
    const now = this.run();
    if (now) return { version: now.version, outcome: "running", parts: this.count("parts") };
    if (m.version <= this.applied()) return { version: m.version, outcome: "stale", parts: 0 };
    this.begin(m);
    await this.pump();
    return { version: m.version, outcome: "start", parts: m.parts.length };
  }

  async status(): Promise<SyncStatus> {
    return this.store.status();
  }

  /** A verifier begins: @returns its token, or null when the part needs no verifying (any more). */
  async verifyStarted(version: number, part: number): Promise<number | null> {
    if (this.run()?.version !== version) return null;
    const sql = this.ctx.storage.sql;
    const row = sql.exec<{ state: string; token: number }>("SELECT state, token FROM parts WHERE part = ?", part).toArray()[0];
    if (!row || (row.state !== "pending" && row.state !== "verifying")) return null;
    // A new token makes any earlier verifier of this part (stalled, or redelivered) talk to no one.
    const token = row.token + 1;
    sql.exec("DELETE FROM slices WHERE part = ? AND state = 'hold'", part);
    sql.exec("UPDATE parts SET state = 'verifying', token = ?, sent_at = ? WHERE part = ?", token, this.now(), part);
    return token;
  }

  /** Slices found so far; they wait ("hold") until the whole part is verified. */
  async planSlices(version: number, part: number, token: number, slices: PlannedSlice[]): Promise<void> {
    if (!this.isVerifier(version, part, token)) return;
    const sql = this.ctx.storage.sql;
    for (const s of slices) {
      sql.exec(
        "INSERT OR IGNORE INTO slices (part, slice, src, etag, off, length, records, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'hold')",
        part,
        s.slice,
        s.src,
        s.etag,
        s.offset,
        s.length,
        s.records,
      );
    }
    // Progress, not a stall: a large part takes a while.
    sql.exec("UPDATE parts SET sent_at = ? WHERE part = ?", this.now(), part);
  }

  async verifyFinished(version: number, part: number, token: number, outcome: { ok: true } | { ok: false; reason: string }): Promise<void> {
    if (!this.isVerifier(version, part, token)) return;
    const sql = this.ctx.storage.sql;
    if (outcome.ok) {
      sql.exec("UPDATE parts SET state = 'verified' WHERE part = ?", part);
      sql.exec("UPDATE slices SET state = 'planned' WHERE part = ? AND state = 'hold'", part);
    } else {
      sql.exec("UPDATE parts SET state = 'rejected', reason = ? WHERE part = ?", outcome.reason.slice(0, 500), part);
      sql.exec("DELETE FROM slices WHERE part = ? AND state != 'done'", part);
      logEvent("warn", "sync part rejected", { version, part, reason: redact(outcome.reason) });
    }
    await this.advance();
  }

  /** Counts a finished slice once, however often the queue redelivers it. */
  async sliceDone(msg: ApplyMessage, counts: { applied: number; unchanged: number; rejected: number }): Promise<void> {
    if (this.run()?.version !== msg.version) return;
    const sql = this.ctx.storage.sql;
    const changed = sql.exec(
      "UPDATE slices SET state = 'done' WHERE part = ? AND slice = ? AND state != 'done'",
      msg.part,
      msg.slice,
    ).rowsWritten;
    if (!changed) return;
    sql.exec(
      "UPDATE run SET users_applied = users_applied + ?, users_unchanged = users_unchanged + ?, records_rejected = records_rejected + ?",
      counts.applied,
      counts.unchanged,
      counts.rejected,
    );
    await this.advance();
  }

  /** A slice found its bytes changed since verification: the part is verified again (done slices stay done). */
  async partChanged(version: number, part: number): Promise<void> {
    if (this.run()?.version !== version) return;
    const sql = this.ctx.storage.sql;
    sql.exec("UPDATE parts SET state = 'pending', token = token + 1, sent_at = NULL WHERE part = ? AND state = 'verified'", part);
    sql.exec("DELETE FROM slices WHERE part = ? AND state != 'done'", part);
    await this.advance();
  }

  /** One failed attempt of a step (it will be retried): counted and shown, with its error. */
  async stepFailed(msg: SyncMessage, error: string): Promise<void> {
    const run = this.run();
    this.fail(run?.version === msg.version ? msg : null, error);
  }

  /** A step that exhausted its retries: shown in the status and holding its run open until re-driven. */
  async deadLetter(msg: SyncMessage): Promise<void> {
    if (this.run()?.version !== msg.version) return;
    const sql = this.ctx.storage.sql;
    if (msg.type === "verify")
      sql.exec("UPDATE parts SET state = 'dead', dead_at = ? WHERE part = ? AND state IN ('pending', 'verifying')", this.now(), msg.part);
    else
      sql.exec(
        "UPDATE slices SET state = 'dead', dead_at = ? WHERE part = ? AND slice = ? AND state != 'done'",
        this.now(),
        msg.part,
        msg.slice,
      );
    logEvent("error", "sync dead letter", { version: msg.version, step: msg.type, part: msg.part });
    await this.pump();
  }

  /** After a run completes: removes its staged copies, then starts whatever version waits. */
  override async alarm(): Promise<void> {
    for (const version of JSON.parse(this.meta("cleanup") ?? "[]") as number[]) {
      await this.deleteStaging(version);
      const rest = (JSON.parse(this.meta("cleanup") ?? "[]") as number[]).filter((v) => v !== version);
      this.setMeta("cleanup", JSON.stringify(rest));
    }
    if (!this.run()) await this.tick();
  }

  private begin(m: Manifest): void {
    const sql = this.ctx.storage.sql;
    sql.exec(
      "INSERT INTO run (id, version, kind, ttl_ms, taxonomy, started_at) VALUES (1, ?, ?, ?, ?, ?)",
      m.version,
      m.kind,
      parseDuration(m.segmentTtl)!,
      m.taxonomy ?? null,
      this.now(),
    );
    sql.exec("DELETE FROM parts");
    sql.exec("DELETE FROM slices");
    m.parts.forEach((p, i) =>
      sql.exec("INSERT INTO parts (part, key, sha256, records, state) VALUES (?, ?, ?, ?, 'pending')", i, p.key, p.sha256, p.records),
    );
    if (this.waiting() !== null && this.waiting()! <= m.version) this.ctx.storage.sql.exec("DELETE FROM meta WHERE k = 'waiting'");
    logEvent("log", "sync started", { version: m.version, kind: m.kind, parts: m.parts.length });
  }

  /** Sends more work if the windows have room, then completes the run if nothing is left. */
  private async advance(): Promise<void> {
    await this.pump();
    this.maybeComplete();
  }

  /** Fills the windows: parts to verify, then planned slices. Each step is marked before it is sent. */
  private async pump(): Promise<void> {
    const run = this.run();
    if (!run) return;
    const sql = this.ctx.storage.sql;
    const now = this.now();
    const msgs: SyncMessage[] = [];
    const partRoom = PART_WINDOW - this.count("parts", "verifying");
    if (partRoom > 0) {
      for (const p of sql
        .exec<{ part: number; key: string; sha256: string; records: number }>(
          "SELECT part, key, sha256, records FROM parts WHERE state = 'pending' ORDER BY part LIMIT ?",
          partRoom,
        )
        .toArray()) {
        sql.exec("UPDATE parts SET state = 'verifying', sent_at = ? WHERE part = ?", now, p.part);
        msgs.push({ type: "verify", version: run.version, part: p.part, key: p.key, sha256: p.sha256, records: p.records });
      }
    }
    const sliceRoom = SLICE_WINDOW - this.count("slices", "queued");
    if (sliceRoom > 0) {
      for (const s of sql
        .exec<SliceRow>(
          "SELECT part, slice, src, etag, off, length, records FROM slices WHERE state = 'planned' ORDER BY part, slice LIMIT ?",
          sliceRoom,
        )
        .toArray()) {
        sql.exec("UPDATE slices SET state = 'queued', sent_at = ? WHERE part = ? AND slice = ?", now, s.part, s.slice);
        const m: ApplyMessage = {
          type: "apply",
          version: run.version,
          part: s.part,
          slice: s.slice,
          src: s.src,
          etag: s.etag,
          offset: s.off,
          length: s.length,
          records: s.records,
          at: run.started_at,
          ttlMs: run.ttl_ms,
        };
        if (run.taxonomy !== null) m.taxonomy = run.taxonomy;
        msgs.push(m);
      }
    }
    try {
      for (let i = 0; i < msgs.length; i += SEND_BATCH) {
        await this.env.SYNC_QUEUE.sendBatch(msgs.slice(i, i + SEND_BATCH).map((body) => ({ body })));
      }
    } catch (e) {
      // Not sent: back to waiting, and the alarm tries again soon (sending some twice is harmless).
      for (const m of msgs) {
        if (m.type === "verify")
          sql.exec("UPDATE parts SET state = 'pending' WHERE part = ? AND state = 'verifying' AND sent_at = ?", m.part, now);
        else
          sql.exec(
            "UPDATE slices SET state = 'planned' WHERE part = ? AND slice = ? AND state = 'queued' AND sent_at = ?",
            m.part,
            m.slice,
            now,
          );
      }
      this.fail(null, `sending to the sync queue failed: ${String(e)}`);
      await this.ctx.storage.setAlarm(now + 30_000);
    }
  }

  private maybeComplete(): void {
    const run = this.run();
    if (!run) return;
    const sql = this.ctx.storage.sql;
    const open =
      sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM parts WHERE state IN ('pending', 'verifying', 'dead')").one().n +
      sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM slices WHERE state != 'done'").one().n;
    if (open) return;
    const rejectedParts = sql
      .exec<{ key: string; reason: string }>("SELECT key, reason FROM parts WHERE state = 'rejected' ORDER BY part LIMIT ?", MAX_SHOWN)
      .toArray()
      .map((p) => ({ version: run.version, key: p.key, reason: p.reason }));
    const lastRun: NonNullable<SyncStatus["lastRun"]> = {
      version: run.version,
      kind: run.kind,
      startedAt: run.started_at,
      finishedAt: this.now(),
      parts: this.count("parts"),
      slices: this.count("slices"),
      usersApplied: run.users_applied,
      usersUnchanged: run.users_unchanged,
      recordsRejected: run.records_rejected,
      failures: run.failures,
      rejectedParts,
    };
    this.setMeta("applied", String(run.version));
    this.setMeta("lastRun", JSON.stringify(lastRun));
    this.setMeta("cleanup", JSON.stringify([...(JSON.parse(this.meta("cleanup") ?? "[]") as number[]), run.version]));
    sql.exec("DELETE FROM run");
    sql.exec("DELETE FROM slices");
    sql.exec("DELETE FROM parts");
    logEvent("log", "sync completed", { version: run.version, usersApplied: run.users_applied, partsRejected: rejectedParts.length });
    // Cleanup and the next version run in the alarm, not in the consumer call that finished this one.
    void this.ctx.storage.setAlarm(this.now());
  }

  private redrive(): number {
    const sql = this.ctx.storage.sql;
    const dead = this.count("parts", "dead") + this.count("slices", "dead");
    sql.exec("UPDATE parts SET state = 'pending', dead_at = NULL WHERE state = 'dead'");
    sql.exec("UPDATE slices SET state = 'planned', dead_at = NULL WHERE state = 'dead'");
    return dead;
  }

  private recoverStalled(): void {
    const sql = this.ctx.storage.sql;
    const before = this.now() - STALL_MS;
    sql.exec("UPDATE parts SET state = 'pending' WHERE state = 'verifying' AND sent_at < ?", before);
    sql.exec("UPDATE slices SET state = 'planned' WHERE state = 'queued' AND sent_at < ?", before);
  }

  private async deleteStaging(version: number): Promise<void> {
    let cursor: string | undefined;
    do {
      const listed = await this.env.ORIGIN.list({ prefix: stagingPrefix(version), ...(cursor ? { cursor } : {}) });
      if (listed.objects.length) await this.env.ORIGIN.delete(listed.objects.map((o) => o.key));
      cursor = listed.truncated ? listed.cursor : undefined;
    } while (cursor);
  }

  private fail(msg: SyncMessage | null, error: string): void {
    const e = error.slice(0, 300);
    const sql = this.ctx.storage.sql;
    this.setMeta("failures", String(Number(this.meta("failures") ?? 0) + 1));
    if (msg) {
      sql.exec("UPDATE run SET failures = failures + 1, last_error = ?", e);
      if (msg.type === "verify") sql.exec("UPDATE parts SET error = ? WHERE part = ?", e, msg.part);
      else sql.exec("UPDATE slices SET error = ? WHERE part = ? AND slice = ?", e, msg.part, msg.slice);
    } else if (this.run()) {
      sql.exec("UPDATE run SET last_error = ?", e);
    } else {
      this.setMeta("lastError", e);
    }
  }

  private isVerifier(version: number, part: number, token: number): boolean {
    if (this.run()?.version !== version) return false;
    const row = this.ctx.storage.sql
      .exec<{ state: string; token: number }>("SELECT state, token FROM parts WHERE part = ?", part)
      .toArray()[0];
    return row?.state === "verifying" && row.token === token;
  }

  private run() {
    return this.store.run();
  }

  private count(table: "parts" | "slices", state?: string): number {
    return this.store.count(table, state);
  }

  private applied(): number {
    return this.store.applied();
  }

  private waiting(): number | null {
    return this.store.waiting();
  }

  private meta(k: string): string | undefined {
    return this.store.meta(k);
  }

  private setMeta(k: string, v: string): void {
    this.store.setMeta(k, v);
  }
}
