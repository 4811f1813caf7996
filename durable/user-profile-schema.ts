/** SQLite schema of a user's object: only what rules, dedupe and publishing need, each table bounded. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, ts INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seen_ts ON seen (ts);
CREATE TABLE IF NOT EXISTS counters (k TEXT NOT NULL, b INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (k, b));
CREATE TABLE IF NOT EXISTS realtime (segment TEXT PRIMARY KEY, until INTEGER NOT NULL, taxonomy INTEGER);
`;
