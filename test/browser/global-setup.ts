/** Once per run: refreshes the tag bundle, builds the Prebid bundle and the Worker as a deploy would, and picks the Chromium every test file launches. */
import type { TestProject } from "vitest/node";
import { build } from "../../bench/miniflare-host.mjs";
import { buildPrebid } from "../../scripts/build-prebid.mjs";
import { buildTag } from "../../scripts/build-tag.mjs";
import { chooseChromium } from "./chromium";
import { WORKER_NAME } from "./paths";

export default async function setup(project: TestProject): Promise<void> {
  // Chosen here once (the test files run in another context), so every file drives the same browser.
  const chromium = await chooseChromium();
  console.log(`browser tests: ${chromium.version} (${chromium.source}, ${chromium.path})`);
  project.provide("chromium", chromium);
  process.env.WRANGLER_SEND_METRICS = "false";
  // Tag sources edited since the last build are what the tests must see; `npm run check` separately fails on a stale committed bundle.
  await buildTag({ quiet: true });
  // The publisher's Prebid bundle: our module and the demo's two recording bid adapters.
  await buildPrebid({ demo: true, quiet: true });
  build("worker/index.ts", WORKER_NAME);
}
