/** Six test projects: the flows inside workerd with the real bindings of wrangler.toml (secrets from the committed example file); tools, models, the tag's and the Prebid module's logic, and both in Chromium, in Node. */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { readDevVars } from "./scripts/dev-vars.mjs";

const secrets: Record<string, string> = readDevVars("./.dev.vars.example");
/** Test folders run inside workerd, one per flow (their helpers live in test/support). */
const WORKERD_FLOWS = ["domain", "lookup", "identity", "events", "privacy", "admin", "http", "durable", "sync"];
// wrangler checks secrets.required against process.env; the tests use the example values.
for (const [k, v] of Object.entries(secrets)) process.env[k] ??= v;

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // A short event-log window keeps every test that posts events from waiting a second for it. The location's
            // cache would keep what a test changes in KV for 30 s: its own tests turn it on.
            miniflare: { bindings: { ...secrets, EVENT_LOG_FLUSH_MS: "20", LOCATION_CACHE_S: "0" } },
          }),
        ],
        // Every flow of the deployment, and the pure domain code, inside workerd with real bindings.
        test: { name: "workers", include: [`test/{${WORKERD_FLOWS.join(",")}}/**/*.test.ts`] },
      },
      // Tools that run in Node: the data team's publisher (a child process), and checks of the configuration against the code.
      { test: { name: "node", include: ["test/node/**/*.test.mjs"], environment: "node" } },
      // The replication-lag simulation and the cost model: plain TypeScript, no runtime bindings.
      { test: { name: "model", include: ["test/model/**/*.test.ts"], environment: "node" } },
      // The ad tag's pure logic, in Node: it never runs in workerd.
      { test: { name: "tag", environment: "node", include: ["test/tag/**/*.test.ts"] } },
      // The Prebid module's pure parts, in Node; the module itself is tested in a real Prebid auction (browser).
      { test: { name: "prebid", environment: "node", include: ["test/prebid/**/*.test.ts"] } },
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          // Builds the Worker and the tag once, and picks the Chromium (a system one, or the one from npm).
          globalSetup: ["test/browser/global-setup.ts"],
          // One Chromium at a time, after the other projects: on a 2-core machine, running beside the
          // workerd tests slows both past their timeouts. Each file owns its loopback ports (8790-8795).
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          // The files share one worker: wrangler, Miniflare and playwright-core are imported once, not per file.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
