/**
 * SQLite schema of a user's object: the state as one row of JSON (`k` = 1) and the remembered event ids as one row
 * per arrival day. A call writes the state row and at most today's ids row, however many events it carries:
 * Durable Objects bill each row written.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS state (k INTEGER PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen_days (day INTEGER PRIMARY KEY, ids TEXT NOT NULL);
`;
