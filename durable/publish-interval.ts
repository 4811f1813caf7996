/** How often a user's object may write its KV record: KV allows one write per second per key. */
export const PUBLISH_INTERVAL_MS = 1_000;
