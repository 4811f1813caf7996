// The queues wrangler.toml has this Worker consume, against the one table in code that dispatches them.
import { describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { dispatchQueue, QUEUES } from "../../sync/queues.ts";

describe("sync/queues.ts", () => {
  it("has a consumer for every queue wrangler.toml consumes, and for no other", () => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
    const consumed = Object.keys(workerOptions.queueConsumers ?? {});
    expect(consumed.length).toBeGreaterThan(0);
    expect(Object.keys(QUEUES).sort()).toEqual(consumed.sort());
  });

  it("sends a batch from a queue it does not know back for retry, names of Object's prototype included", async () => {
    for (const queue of ["udn-unknown", "constructor", "toString"]) {
      let retried = 0;
      const batch = { queue, messages: [], retryAll: () => retried++ };
      await dispatchQueue(batch, {});
      expect(retried, queue).toBe(1);
    }
  });
});
