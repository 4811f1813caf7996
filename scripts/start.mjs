#!/usr/bin/env node
// Runs the whole service locally on miniflare storage (no Cloudflare account): seeds a generated event log when the
// local one is empty, runs the batch job over it into the local origin, loads the demo rules, and serves the demo
// publisher page on another site (localhost:8080): the tag, and a Prebid bundle with our module.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { localBuckets } from "../batch/buckets.mjs";
import { sampleUid, writeSampleLog } from "../batch/sample-log.mjs";
import { buildPrebid, OUT as PREBID_BUNDLE } from "./build-prebid.mjs";
import { buildTag } from "./build-tag.mjs";
import { readDevVars } from "./dev-vars.mjs";
import { servePublisher } from "./publisher-server.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const EDGE = `http://127.0.0.1:${PORT}`;
const PUBLISHER_PORT = Number(process.env.PUBLISHER_PORT ?? 8080);
// wrangler.toml allows the demo page's default origin (localhost:8080); another port is allowed for this run only.
const allowDemo = PUBLISHER_PORT === 8080 ? [] : ["--var", `ALLOWED_ORIGINS:http://localhost:${PUBLISHER_PORT}`];
const STATE = ".wrangler/state";

if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(`Node ${process.versions.node} is too old: wrangler needs Node 22.12 or newer (see README).`);
  process.exit(1);
}
if (!existsSync(".dev.vars")) copyFileSync(".dev.vars.example", ".dev.vars");
const secrets = readDevVars(".dev.vars");

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

// Before the edge starts, so that nothing else has the local buckets open: a demo log of 30 days (first start only),
// then one batch run over the whole log, the events sent from the demo page since the last start included.
const buckets = await localBuckets({ persistTo: STATE, events: "udn-events", origin: "udn-origin" });
let seeded = false;
for await (const _ of buckets.events.list("events/")) {
  seeded = true;
  break;
}
if (!seeded) {
  const { lines, objects } = await writeSampleLog(buckets.events, { events: 20_000, users: 2_000, end: Date.now() });
  console.log(`seeded the local event log: ${lines} lines in ${objects} objects (generated: 2,000 users, 30 days)`);
}
await buckets.close();
// A run that stops (its drop guard) or fails leaves the last published version in place: the service starts anyway.
const batch = spawnSync(process.execPath, ["batch/run.mjs", "--persist-to", STATE, "--segment-ttl", "30d", "--quiet"], {
  stdio: "inherit",
  env,
});
if (batch.status !== 0) console.error(`the batch job ended with status ${batch.status}: the origin keeps its last version`);
// The tag the edge serves is built from tag/*.ts: an edited tag is what the demo page gets.
await buildTag();
// The demo publisher's Prebid bundle: Prebid.js with our real-time-data module and two local bid adapters.
await buildPrebid({ demo: true });
// wrangler's own entry under this Node, not through npx: npx does not pass signals on, so a stop
// (Ctrl-C, or SIGTERM from a script) would leave wrangler and workerd running.
const edge = spawn(
  process.execPath,
  [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--test-scheduled",
    "--persist-to",
    STATE,
    "--show-interactive-dev-session=false",
    ...allowDemo,
  ],
  { stdio: ["ignore", "inherit", "inherit"], env },
);
const stop = () => edge.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
edge.on("exit", (code) => process.exit(code ?? 0));

async function waitForEdge() {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${EDGE}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the edge did not answer on ${EDGE} within 60 s`);
}

await waitForEdge();
const admin = { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` };
const rules = await fetch(`${EDGE}/v1/admin/segments`, { method: "PUT", headers: admin, body: readFileSync("demo/segments.json") });
// 409 means the persisted state already holds this or a newer version: keep it.
if (!rules.ok && rules.status !== 409) console.error("loading demo segment rules failed:", await rules.text());
const context = await fetch(`${EDGE}/v1/admin/context`, { method: "PUT", headers: admin, body: readFileSync("demo/context.json") });
if (!context.ok && context.status !== 409) console.error("loading demo context rules failed:", await context.text());
// The demo partner's sync page is on the demo publisher's server, wherever PUBLISHER_PORT puts it.
const partnersDoc = readFileSync("demo/partners.json", "utf8").replaceAll("localhost:8080", `localhost:${PUBLISHER_PORT}`);
const partners = await fetch(`${EDGE}/v1/admin/partners`, { method: "PUT", headers: admin, body: partnersDoc });
if (!partners.ok && partners.status !== 409) console.error("loading the demo partner failed:", await partners.text());
// The cron applies the version the batch job just published (if any), as it would within five minutes.
await fetch(`${EDGE}/__scheduled?cron=*/5+*+*+*+*`);
const publisher = await servePublisher({ roots: ["demo/publisher", dirname(PREBID_BUNDLE)], edge: EDGE, port: PUBLISHER_PORT });

console.log(`
UDN edge is running on ${EDGE} with demo data (local state in ${STATE}).
  ${publisher.url}/   a demo publisher page (another site) with the tag and a Prebid auction: events sent, segments, key-values, bidders
  curl -i ${EDGE}/v1/segments                                   # a new browser: empty segments, a signed udn_id cookie
  curl -H 'Authorization: Bearer ${secrets.API_KEYS?.split(",")[0]}' ${EDGE}/v1/users/${sampleUid(0)}/segments?format=ortb2   # the log's busiest user
  curl -H 'Authorization: Bearer ${secrets.ADMIN_TOKEN}' ${EDGE}/v1/admin/segments          # rules, and the batch segments' reach
  npm run batch -- --sync                                        # a new batch run over the log, then a sync (docs/batch.md)
  README.md ("Try it") shows the event flow. Ctrl-C stops.
`);
