/** Tests run inside workerd with the real bindings of wrangler.toml; secrets come from the committed example file. */
import { readFileSync } from "node:fs";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

function devVars(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)="?(.*?)"?$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

const secrets = devVars("./.dev.vars.example");
// wrangler checks secrets.required against process.env; the tests use the example values.
for (const [k, v] of Object.entries(secrets)) process.env[k] ??= v;

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // A short event-log window keeps every test that posts events from waiting a second for it.
            miniflare: { bindings: { ...secrets, EVENT_LOG_FLUSH_MS: "20" } },
          }),
        ],
        test: { name: "workers", include: ["test/workers/**/*.test.ts"] },
      },
      // Tools that run in Node (the data team's publisher), driven as child processes.
      { test: { name: "node", include: ["test/node/**/*.test.mjs"], environment: "node" } },
    ],
  },
});
