// The batch job's S3 path against a local S3-API server (s3rver), for want of an R2 account: writes a generated log
// through the S3 client, lists it back across pages, runs the job twice over it and lists the origin.
// `npm install --no-save s3rver@3 && node --openssl-legacy-provider scripts/try-batch-s3.mjs` (s3rver's continuation
// tokens use a cipher Node 22 keeps behind that flag). s3rver does not check signatures: SigV4 itself is not shown.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3Bucket } from "../batch/buckets.mjs";
import { writeSampleLog } from "../batch/sample-log.mjs";

// Not a dependency of the project: installed for this check only, so named at run time.
const S3RVER = "s3rver";
const { default: S3rver } = await import(S3RVER);
const dir = mkdtempSync(join(tmpdir(), "udn-s3-"));
const server = new S3rver({
  port: 4568,
  address: "127.0.0.1",
  silent: true,
  directory: dir,
  configureBuckets: [{ name: "udn-events" }, { name: "udn-origin" }],
});
await server.run();
const endpoint = "http://127.0.0.1:4568";
const keys = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** The job in a child process: the server lives in this one's event loop, which must keep running meanwhile. */
function batch() {
  return new Promise((resolve) => {
    const env = { ...process.env, NODE_OPTIONS: "", R2_ACCESS_KEY_ID: keys.accessKeyId, R2_SECRET_ACCESS_KEY: keys.secretAccessKey };
    const child = spawn(process.execPath, ["batch/run.mjs", "--s3-endpoint", endpoint, "--segment-ttl", "30d", "--quiet"], { env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (status) => resolve({ status, out }));
  });
}

try {
  const events = s3Bucket({ endpoint, bucket: "udn-events", ...keys });
  // Ten events an object: more objects than one ListObjectsV2 page holds.
  const { lines, objects } = await writeSampleLog(events, { events: 20_000, users: 2_000, end: Date.now(), perObject: 10 });
  let listed = 0;
  for await (const _ of events.list("events/")) listed++;
  console.log(`wrote ${lines} lines in ${objects} objects; listed ${listed} back`);
  for (const run of [1, 2]) {
    const { status, out } = await batch();
    console.log(`--- run ${run}: exit ${status}\n${out.trim()}`);
  }
  const origin = s3Bucket({ endpoint, bucket: "udn-origin", ...keys });
  for await (const o of origin.list("")) console.log(`origin: ${o.key} (${o.size} B)`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
