#!/usr/bin/env node
/** `npm run batch`: computes the segments of batch/segments/*.sql from the event log and publishes them to the origin (docs/batch.md). */
import { existsSync } from "node:fs";
import { readDevVars } from "../scripts/dev-vars.mjs";
import { ArgsError, parseBatchArgs, USAGE } from "./args.mjs";
import { dirBucket, localBuckets, s3Bucket } from "./buckets.mjs";
import { runBatch } from "./job.mjs";
import { createProgress } from "./progress.mjs";
import { formatSummary } from "./summary.mjs";

let opts;
try {
  opts = parseBatchArgs(process.argv.slice(2), process.env, Date.now());
} catch (e) {
  if (!(e instanceof ArgsError)) throw e;
  console.error(`batch: ${e.message}\n${USAGE}`);
  process.exit(2);
}

const local = opts.events.local !== undefined || opts.origin.local !== undefined;
const mf = local
  ? await localBuckets({ persistTo: opts.events.local ?? opts.origin.local, events: opts.events.bucket, origin: opts.origin.bucket })
  : null;
const open = (where, which) =>
  where.dir !== undefined
    ? dirBucket(where.dir)
    : where.s3 !== undefined
      ? s3Bucket({ endpoint: where.s3, bucket: where.bucket, ...opts.s3Keys })
      : mf[which];
const destination =
  opts.origin.dir !== undefined
    ? `the directory ${opts.origin.dir}`
    : `${opts.origin.s3 !== undefined ? "the remote" : "the local"} bucket ${opts.origin.bucket}`;

let run;
try {
  run = await runBatch(
    opts,
    { events: open(opts.events, "events"), origin: open(opts.origin, "origin"), destination },
    createProgress({ quiet: opts.quiet }),
  );
} finally {
  await mf?.close();
}

if (opts.sync && run.outcome === "published") {
  // The admin token: UDN_ADMIN_TOKEN, or the local one `npm start` uses.
  const token = process.env.UDN_ADMIN_TOKEN ?? readDevVars(existsSync(".dev.vars") ? ".dev.vars" : ".dev.vars.example").ADMIN_TOKEN;
  const res = await fetch(`${opts.edge}/v1/admin/sync`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
  run.synced = `POST ${opts.edge}/v1/admin/sync: ${res.status} ${await res.text()}`;
}
console.log(formatSummary(run));
process.exit(run.outcome === "stopped" ? 3 : 0);
