/** The body of `npm run batch`, in the worker thread batch/run.mjs starts: the buckets, the run, `--sync`, the summary. */
import { existsSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { readDevVars } from "../scripts/dev-vars.mjs";
import { dirBucket, localBuckets, s3Bucket } from "./buckets.mjs";
import { runBatch } from "./job.mjs";
import { createProgress } from "./progress.mjs";
import { formatSummary } from "./summary.mjs";

/** @type {ReturnType<typeof import("./args.mjs").parseBatchArgs>} */
const opts = workerData.opts;

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
// The main thread prints it and sets the exit status once this thread has ended (and its stderr is through).
parentPort.postMessage({ summary: formatSummary(run), status: run.outcome === "stopped" ? 3 : 0 });
