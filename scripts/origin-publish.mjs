#!/usr/bin/env node
import { execFileSync } from "node:child_process";
// Publishes a batch version for the data team: NDJSON or CSV in; gzip (or plain) NDJSON parts, manifests/v<version>.json
// and manifests/latest.json out, into the local bucket, a real one (--remote), or a directory laid out like the bucket.
//
// usage: npm run origin:publish -- <file.ndjson|file.csv> [--kind full|delta] [--segment-ttl 3d] [--taxonomy 4]
//          [--version N] [--records-per-part 100000] [--plain] [--remote | --out-dir DIR] [--persist-to DIR] [--bucket NAME]
// NDJSON lines are users' records ({"uid",…}) or pages' ({"url",…}, a URL → category map), checked as the edge checks them.
// CSV: a header `uid,segments[,delete]`; segments separated by `|`; delete = true|1 (users only).
// The input is streamed: a file of tens of millions of users needs no more memory than one record.
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { checkRecord, createPartWriter, manifestOf } from "../batch/origin-parts.mjs";

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
  const checked = checkRecord(r);
  if ("error" in checked) die(`${where}: ${checked.error}`);
  return checked.record;
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

const writer = createPartWriter({ dir: work, version, perPart, plain: opt.plain });
let pages = 0;
for await (const r of records()) {
  if ("url" in r) pages++;
  await writer.write(r);
}
const written = await writer.finish();

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
const manifest = manifestOf({
  version,
  kind: opt.kind,
  parts: written,
  segmentTtl: opt["segment-ttl"],
  taxonomy: opt.taxonomy ? Number(opt.taxonomy) : undefined,
});
const manifestPath = join(work, "manifest.json");
writeFileSync(manifestPath, JSON.stringify(manifest));
// Manifests go last, and latest.json after the versioned one: a reader never sees a version whose parts are not all there.
put(`manifests/v${version}.json`, manifestPath, "application/json");
put("manifests/latest.json", manifestPath, "application/json");
const total = written.reduce((n, p) => n + p.records, 0);
// One taxonomy describes a version's ids: users' audience ids and pages' content ids rarely share one.
if (pages && pages < total && opt.taxonomy)
  console.error(`origin:publish: --taxonomy ${opt.taxonomy} applies to the users' and the pages' records of this version alike`);
const dest = opt["out-dir"] ? `the directory ${opt["out-dir"]}` : `${opt.remote ? "the remote" : "the local"} bucket ${opt.bucket}`;
const ofPages = pages ? `; ${pages} of them page records` : "";
console.log(`published version ${version} (${opt.kind}): ${total} records in ${written.length} part(s) to ${dest}${ofPages}`);
