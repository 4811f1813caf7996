#!/usr/bin/env node
// Publishes a batch version for the data team: NDJSON or CSV in, gzip NDJSON parts and manifests/latest.json out.
//
// usage: npm run origin:publish -- <file.ndjson|file.csv> [--kind full|delta] [--segment-ttl 3d]
//          [--taxonomy 4] [--version N] [--records-per-part 100000] [--remote] [--persist-to DIR]
// CSV: a header `uid,segments[,delete]`; segments separated by `|`; delete = true|1.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kind: { type: "string", default: "full" },
    "segment-ttl": { type: "string", default: "3d" },
    taxonomy: { type: "string" },
    version: { type: "string" },
    "records-per-part": { type: "string", default: "100000" },
    remote: { type: "boolean", default: false },
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
if (!/^[1-9][0-9]*[smhd]$/.test(opt["segment-ttl"])) die('--segment-ttl must look like "3d"');

function* records(text, csv) {
  const lines = text.split("\n").filter((l) => l.trim());
  if (!csv) {
    for (const [i, line] of lines.entries()) {
      try {
        yield JSON.parse(line);
      } catch {
        die(`${file}:${i + 1} is not JSON`);
      }
    }
    return;
  }
  const head = lines.shift()?.split(",").map((h) => h.trim());
  if (!head || head[0] !== "uid") die("a CSV needs the header uid,segments[,delete]");
  for (const line of lines) {
    const cells = Object.fromEntries(line.split(",").map((c, i) => [head[i], c.trim()]));
    if (cells.delete === "true" || cells.delete === "1") yield { uid: cells.uid, delete: true };
    else yield { uid: cells.uid, segments: (cells.segments ?? "").split("|").filter(Boolean) };
  }
}

const all = [...records(readFileSync(file, "utf8"), file.endsWith(".csv"))];
for (const [i, r] of all.entries()) {
  if (typeof r.uid !== "string" || !r.uid) die(`record ${i + 1} has no uid`);
  if (r.delete !== true && !Array.isArray(r.segments)) die(`record ${i + 1} needs segments or delete`);
}
const version = opt.version ? Number(opt.version) : Math.floor(Date.now() / 1000);
if (!Number.isSafeInteger(version) || version < 1) die("--version must be a positive integer");
const perPart = Number(opt["records-per-part"]);

const dir = mkdtempSync(join(tmpdir(), "udn-origin-"));
const where = opt.remote ? ["--remote"] : ["--local", "--persist-to", opt["persist-to"]];
function put(key, path, type) {
  execFileSync("npx", ["wrangler", "r2", "object", "put", `${opt.bucket}/${key}`, "--file", path, "--content-type", type, ...where], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

const parts = [];
for (let i = 0; i * perPart < Math.max(all.length, 1); i++) {
  const slice = all.slice(i * perPart, (i + 1) * perPart);
  const body = gzipSync(slice.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const key = `batches/v${version}/part-${String(i).padStart(5, "0")}.ndjson.gz`;
  const path = join(dir, `part-${i}.gz`);
  writeFileSync(path, body);
  put(key, path, "application/x-ndjson");
  parts.push({ key, records: slice.length, sha256: createHash("sha256").update(body).digest("hex") });
}
const manifest = { version, kind: opt.kind, parts, segmentTtl: opt["segment-ttl"], ...(opt.taxonomy ? { taxonomy: Number(opt.taxonomy) } : {}) };
const manifestPath = join(dir, "latest.json");
// The manifest goes last: a reader never sees a version whose parts are not all there.
writeFileSync(manifestPath, JSON.stringify(manifest));
put("manifests/latest.json", manifestPath, "application/json");
console.log(`published version ${version} (${opt.kind}): ${all.length} records in ${parts.length} part(s) to ${opt.remote ? "the remote" : "the local"} bucket ${opt.bucket}`);
