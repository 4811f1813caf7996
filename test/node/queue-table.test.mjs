// The queues wrangler.toml has this Worker consume, against the one table in code that dispatches them.
import { describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { QUEUES } from "../../sync/queues.ts";

describe("sync/queues.ts", () => {
  it("has a consumer for every queue wrangler.toml consumes, and for no other", () => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
    const consumed = Object.keys(workerOptions.queueConsumers ?? {});
    expect(consumed.length).toBeGreaterThan(0);
    expect(Object.keys(QUEUES).sort()).toEqual(consumed.sort());
  });
});
