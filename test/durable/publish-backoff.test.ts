/** The pure schedule of KV write attempts after failures: doubling from the publish interval, capped. */
import { describe, expect, it } from "vitest";
import { PUBLISH_BACKOFF_CAP_MS, publishDelay } from "../../durable/publish-backoff";
import { PUBLISH_INTERVAL_MS } from "../../durable/publish-interval";

describe("publish backoff", () => {
  it("waits the publish interval while writes succeed, then doubles after each failure in a row", () => {
    expect(publishDelay(0)).toBe(PUBLISH_INTERVAL_MS);
    expect([1, 2, 3, 4, 5, 9].map(publishDelay)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 256_000]);
  });

  it("never waits longer than the cap, however many failures, and never less than the interval", () => {
    expect(publishDelay(10)).toBe(PUBLISH_BACKOFF_CAP_MS);
    for (const n of [11, 40, 1_100, Number.MAX_SAFE_INTEGER]) expect(publishDelay(n)).toBe(PUBLISH_BACKOFF_CAP_MS);
    expect(publishDelay(-1)).toBe(PUBLISH_INTERVAL_MS);
    for (let n = 1; n < 40; n++) expect(publishDelay(n + 1)).toBeGreaterThanOrEqual(publishDelay(n));
  });
});
