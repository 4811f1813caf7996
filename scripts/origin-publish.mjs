#!/usr/bin/env node
import { execFileSync } from "node:child_process";
// Publishes a batch version for the data team: NDJSON or CSV in; gzip (or plain) NDJSON parts, manifests/v<version>.json
// and manifests/latest.json out, into the local bucket, a real one (--remote), or a directory laid out like the bucket.
//
// usage: npm run origin:publish -- <file.ndjson|file.csv> [--kind full|delta] [--segment-ttl 3d] [--taxonomy 4]
//          [--version N] [--records-per-part 100000] [--plain] [--remote | --out-dir DIR] [--persist-to DIR] [--bucket NAME]
// CSV: a header `uid,segments[,delete]`; segments separated by `|`; delete = true|1.
// The input is streamed: a file of tens of millions of users needs no more memory than one record.
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createGzip } from "node:zlib";

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kind: { type: "string", default: "full" },
    "segment-ttl": { type: "string", default: "3d" },
    taxonomy: { type: "string" },
    version: { type: "string" },
    "records-per-part": { type: "string", default: "100000" },
    plain: { type: "boolean", default: false },
    remote: { type: "boolean", default: false },
    "out-dir": { type: "string" },
    "persist-to": { type: "string", default: ".wrangler/state" },
    bucket: { type: "string", default: "udn-origin" },
  },
});

// The edge's own limits (domain/batch-record.ts, domain/ids.ts): a record the edge would reject is an error here.
const UID = /^[A-Za-z0-9._:-]{1,128}$/;
const SEGMENT = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_SEGMENTS = 500;

const die = (msg) => {
  console.error(`origin:publish: ${msg}`);
  process.exit(2);
};
const file = positionals[0] ?? die("name an NDJSON or CSV file");
if (opt.kind !== "full" && opt.kind !== "delta") die("--kind must be full or delta");
if (!/^[1-9][0-9]{0,5}[smhd]$/.test(opt["segment-ttl"])) die('--segment-ttl must look like "3d"');
if (opt.taxonomy !== undefined && !/^[0-9]+$/.test(opt.taxonomy)) die("--taxonomy must be a segtax number");
const version = opt.version ? Number(opt.version) : Math.floor(Date.now() / 1000);
if (!Number.isSafeInteger(version) || version < 1) die("--version must be a positive integer");
const perPart = Number(opt["records-per-part"]);
if (!Number.isSafeInteger(perPart) || perPart < 1) die("--records-per-part must be a positive integer");
if (opt.remote && opt["out-dir"]) die("use either --remote or --out-dir");

function check(r, where) {
  if (typeof r !== "object" || r === null || Array.isArray(r)) die(`${where}: not a JSON object`);
  if (typeof r.uid !== "string" || !UID.test(r.uid)) die(`${where}: uid must match ${UID.source}`);
  if (r.delete === true) return { uid: r.uid, delete: true };
  if (!Array.isArray(r.segments) || r.segments.length > MAX_SEGMENTS)
    die(`${where}: needs "segments" (at most ${MAX_SEGMENTS}) or "delete": true`);
  for (const s of r.segments)
    if (typeof s !== "string" || !SEGMENT.test(s)) die(`${where}: segment ${JSON.stringify(s)} must match ${SEGMENT.source}`);
  return { uid: r.uid, segments: [...new Set(r.segments)] };
}

async function* records() {
  const csv = file.endsWith(".csv");
  let head;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    const where = `${file}:${n}`;
    if (!csv) {
      let r;
      try {
        r = JSON.parse(line);
      } catch {
        die(`${where}: not JSON`);
      }
      yield check(r, where);
      continue;
    }
    if (!head) {
      head = line.split(",").map((h) => h.trim());
      if (head[0] !== "uid") die("a CSV needs the header uid,segments[,delete]");
      continue;
    }
    const cells = Object.fromEntries(line.split(",").map((c, i) => [head[i], c.trim()]));
    if (cells.delete === "true" || cells.delete === "1") yield check({ uid: cells.uid, delete: true }, where);
    else yield check({ uid: cells.uid, segments: (cells.segments ?? "").split("|").filter(Boolean) }, where);
  }
}

const work = mkdtempSync(join(tmpdir(), "udn-origin-"));
// The parts hold users' ids: they go once written to the bucket, or on any exit.
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
const ext = opt.plain ? ".ndjson" : ".ndjson.gz";

/** One part being written: records stream through gzip (or not) into a file while its bytes are hashed. */
function openPart(index) {
  const key = `batches/v${version}/part-${String(index).padStart(5, "0")}${ext}`;
  const path = join(work, `part-${index}`);
  const out = createWriteStream(path);
  const hash = createHash("sha256");
  const sink = opt.plain ? new PassThrough() : createGzip();
  sink.on("data", (chunk) => hash.update(chunk));
  sink.pipe(out);
  return { key, path, sink, out, hash, records: 0 };
}

async function closePart(p) {
  p.sink.end();
  await finished(p.out);
  return { key: p.key, path: p.path, records: p.records, sha256: p.hash.digest("hex") };
}

const written = [];
let part = openPart(0);
for await (const r of records()) {
  if (part.records === perPart) {
    written.push(await closePart(part));
    part = openPart(written.length);
  }
  if (!part.sink.write(`${JSON.stringify(r)}\n`)) await new Promise((ok) => part.sink.once("drain", ok));
  part.records++;
}
written.push(await closePart(part));

const where = opt.remote ? ["--remote"] : ["--local", "--persist-to", opt["persist-to"]];
function put(key, path, type) {
  if (opt["out-dir"]) {
    const dest = join(opt["out-dir"], key);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(path, dest);
    return;
  }
  execFileSync("npx", ["wrangler", "r2", "object", "put", `${opt.bucket}/${key}`, "--file", path, "--content-type", type, ...where], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

for (const p of written) put(p.key, p.path, "application/x-ndjson");
const manifest = {
  version,
  kind: opt.kind,
  parts: written.map(({ key, records, sha256 }) => ({ key, records, sha256 })),
  segmentTtl: opt["segment-ttl"],
  ...(opt.taxonomy ? { taxonomy: Number(opt.taxonomy) } : {}),
};
const manifestPath = join(work, "manifest.json");
writeFileSync(manifestPath, JSON.stringify(manifest));
// Manifests go last, and latest.json after the versioned one: a reader never sees a version whose parts are not all there.
put(`manifests/v${version}.json`, manifestPath, "application/json");
put("manifests/latest.json", manifestPath, "application/json");
const total = written.reduce((n, p) => n + p.records, 0);
const dest = opt["out-dir"] ? `the directory ${opt["out-dir"]}` : `${opt.remote ? "the remote" : "the local"} bucket ${opt.bucket}`;
console.log(`published version ${version} (${opt.kind}): ${total} records in ${written.length} part(s) to ${dest}`);
