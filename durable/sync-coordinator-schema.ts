/** SQLite schema of the sync coordinator: the run in progress, its parts and slices, and a few totals. */
export const SYNC_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run (
  id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, kind TEXT NOT NULL, ttl_ms INTEGER NOT NULL,
  taxonomy INTEGER, started_at INTEGER NOT NULL, users_applied INTEGER NOT NULL DEFAULT 0,
  users_unchanged INTEGER NOT NULL DEFAULT 0, records_rejected INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0, last_error TEXT);
CREATE TABLE IF NOT EXISTS parts (
  part INTEGER PRIMARY KEY, key TEXT NOT NULL, sha256 TEXT NOT NULL, records INTEGER NOT NULL,
  state TEXT NOT NULL, token INTEGER NOT NULL DEFAULT 0, sent_at INTEGER, reason TEXT, dead_at INTEGER, error TEXT);
CREATE TABLE IF NOT EXISTS slices (
  part INTEGER NOT NULL, slice INTEGER NOT NULL, src TEXT NOT NULL, etag TEXT NOT NULL, off INTEGER NOT NULL,
  length INTEGER NOT NULL, records INTEGER NOT NULL, state TEXT NOT NULL, sent_at INTEGER, dead_at INTEGER, error TEXT,
  PRIMARY KEY (part, slice));
CREATE INDEX IF NOT EXISTS slices_state ON slices (state, part, slice);
`;

/**
 * States. parts: pending → verifying → verified | rejected, or dead (retries exhausted).
 * slices: hold (part still verifying) → planned → queued → done, or dead.
 * Only the current run's parts and slices are kept; they go when it completes.
 */
export type PartState = "pending" | "verifying" | "verified" | "rejected" | "dead";
export type SliceState = "hold" | "planned" | "queued" | "done" | "dead";
