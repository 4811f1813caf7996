/** How long a user's object waits before its next KV write: the publish interval, doubling after each failed write up to a cap. */
import { PUBLISH_INTERVAL_MS } from "./publish-interval";

/**
 * The longest wait between attempts while KV writes fail. During an outage each object tries about
 * a dozen times an hour instead of every second; once KV is back its record is at most this late.
 */
export const PUBLISH_BACKOFF_CAP_MS = 5 * 60_000;

/**
 * @param failures failed writes in a row since the last one that succeeded
 * @returns how long after the last attempt the next may start: 1 s, then 1 s, 2 s, 4 s … ≤ the cap
 * @example publishDelay(0) === 1_000; publishDelay(3) === 4_000; publishDelay(30) === PUBLISH_BACKOFF_CAP_MS
 */
export function publishDelay(failures: number): number {
  if (failures <= 1) return PUBLISH_INTERVAL_MS;
  // The exponent is capped too, so a count that kept growing never overflows to Infinity.
  return Math.min(PUBLISH_BACKOFF_CAP_MS, PUBLISH_INTERVAL_MS * 2 ** Math.min(failures - 1, 30));
}
