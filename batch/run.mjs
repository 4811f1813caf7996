#!/usr/bin/env node
/** `npm run batch`: computes the segments of batch/segments/*.sql from the event log and publishes them to the origin (docs/batch.md). */
import { Worker } from "node:worker_threads";
import { ArgsError, parseBatchArgs, USAGE } from "./args.mjs";

let opts;
try {
  opts = parseBatchArgs(process.argv.slice(2), process.env, Date.now());
} catch (e) {
  if (!(e instanceof ArgsError)) throw e;
  console.error(`batch: ${e.message}\n${USAGE}`);
  process.exit(2);
}

// The run goes in a thread whose JavaScript heap has a fixed limit. V8 sizes a process's heap from the machine's
// memory and lets garbage grow to several times what is live before it collects; reading the log makes garbage at
// every line, so the job's memory followed the log's length and the machine, not what the job holds.
const job = new Worker(new URL("./run-job.mjs", import.meta.url), {
  workerData: { opts },
  resourceLimits: { maxOldGenerationSizeMb: opts.jsHeapMb },
});
let done;
job.on("message", (m) => (done = m));
job.on("error", (e) => {
  console.error(e);
  process.exitCode = 1;
});
job.on("exit", () => {
  if (!done) {
    process.exitCode = 1;
    return;
  }
  console.log(done.summary);
  process.exitCode = done.status;
});
