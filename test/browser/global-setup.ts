/** Once per run: refreshes the tag bundle, builds the Worker as a deploy would, and makes sure Chromium is there. */
import { existsSync } from "node:fs";
import { build } from "../../bench/miniflare-host.mjs";
import { buildTag } from "../../scripts/build-tag.mjs";
import { CHROMIUM, WORKER_NAME } from "./paths";

export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}. Install Debian's package: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH.`);
  }
  process.env.WRANGLER_SEND_METRICS = "false";
  // Tag sources edited since the last build are what the tests must see; `npm run check` separately fails on a stale committed bundle.
  await buildTag({ quiet: true });
  build("worker/index.ts", WORKER_NAME);
}
