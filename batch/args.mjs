/** The batch job's command line, checked: where to read and write, what to compute, when to stop. */
import { parseArgs } from "node:util";

export const USAGE = `usage: npm run batch -- [--persist-to .wrangler/state] [--events-bucket udn-events] [--origin-bucket udn-origin]
    [--events-dir DIR] [--origin-dir DIR] [--s3-endpoint https://<account>.r2.cloudflarestorage.com]
    [--segments batch/segments] [--pages batch/pages] [--page-taxonomy 9] [--as-of 2026-12-04T00:00:00Z] [--since 2026-09-01]
    [--kind auto|full|delta] [--version N] [--segment-ttl 3d] [--taxonomy 4] [--records-per-part 100000]
    [--min-reach 100] [--max-drop 0.5] [--force] [--dry-run]
    [--memory-limit 1GB] [--threads N] [--js-heap-mb 128] [--temp-dir DIR] [--sync] [--edge http://127.0.0.1:8787] [--quiet]`;

const OPTIONS = {
  "persist-to": { type: "string", default: ".wrangler/state" },
  "events-bucket": { type: "string", default: "udn-events" },
  "origin-bucket": { type: "string", default: "udn-origin" },
  "events-dir": { type: "string" },
  "origin-dir": { type: "string" },
  "s3-endpoint": { type: "string" },
  segments: { type: "string", default: "batch/segments" },
  pages: { type: "string", default: "batch/pages" },
  "page-taxonomy": { type: "string", default: "9" },
  "as-of": { type: "string" },
  since: { type: "string" },
  kind: { type: "string", default: "auto" },
  version: { type: "string" },
  "segment-ttl": { type: "string", default: "3d" },
  taxonomy: { type: "string", default: "4" },
  "records-per-part": { type: "string", default: "100000" },
  "min-reach": { type: "string", default: "100" },
  "max-drop": { type: "string", default: "0.5" },
  force: { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  "memory-limit": { type: "string", default: "1GB" },
  threads: { type: "string" },
  "js-heap-mb": { type: "string", default: "128" },
  "temp-dir": { type: "string" },
  sync: { type: "boolean", default: false },
  edge: { type: "string", default: "http://127.0.0.1:8787" },
  quiet: { type: "boolean", default: false },
};

/** A command-line mistake: the message names the flag. */
export class ArgsError extends Error {
  name = "ArgsError";
}

const fail = (msg) => {
  throw new ArgsError(msg);
};

function integer(value, flag, min) {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < min) fail(`${flag} must be an integer of at least ${min}`);
  return n;
}

/**
 * @param {string[]} argv the arguments after the script
 * @param {Record<string, string | undefined>} env S3 keys come from the environment, never from the command line
 * @param {number} now ms, the default `--as-of`
 */
export function parseBatchArgs(argv, env, now) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    fail(e.message);
  }
  const o = values;
  if (!["auto", "full", "delta"].includes(o.kind)) fail("--kind must be auto, full or delta");
  if (!/^[1-9][0-9]{0,5}[smhd]$/.test(o["segment-ttl"])) fail('--segment-ttl must look like "3d"');
  if (o.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.since)) fail("--since must be a date YYYY-MM-DD");
  if (!/^[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i.test(o["memory-limit"])) fail('--memory-limit must look like "1GB"');
  const asOf = o["as-of"] === undefined ? now : /^[0-9]+$/.test(o["as-of"]) ? Number(o["as-of"]) : Date.parse(o["as-of"]);
  if (!Number.isSafeInteger(asOf) || asOf <= 0) fail("--as-of must be a date or a time in ms");
  const maxDrop = Number(o["max-drop"]);
  if (!(maxDrop >= 0 && maxDrop <= 1)) fail("--max-drop must be a share between 0 and 1");
  if (o["s3-endpoint"] !== undefined) {
    if (!/^https?:\/\//.test(o["s3-endpoint"])) fail("--s3-endpoint must be an http(s) URL");
    if (!env.R2_ACCESS_KEY_ID || !env.R2_SECRET_ACCESS_KEY)
      fail("--s3-endpoint needs R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY in the environment");
  }
  const where = (dir) =>
    dir !== undefined ? { dir } : o["s3-endpoint"] !== undefined ? { s3: o["s3-endpoint"] } : { local: o["persist-to"] };
  return {
    events: { ...where(o["events-dir"]), bucket: o["events-bucket"] },
    origin: { ...where(o["origin-dir"]), bucket: o["origin-bucket"] },
    s3Keys: o["s3-endpoint"] ? { accessKeyId: env.R2_ACCESS_KEY_ID, secretAccessKey: env.R2_SECRET_ACCESS_KEY } : undefined,
    segmentsDir: o.segments,
    pagesDir: o.pages === "" ? undefined : o.pages,
    pageTaxonomy: o["page-taxonomy"] === "" ? undefined : integer(o["page-taxonomy"], "--page-taxonomy", 1),
    asOf,
    since: o.since,
    kind: o.kind,
    version: o.version === undefined ? undefined : integer(o.version, "--version", 1),
    segmentTtl: o["segment-ttl"],
    taxonomy: o.taxonomy === "" ? undefined : integer(o.taxonomy, "--taxonomy", 1),
    perPart: integer(o["records-per-part"], "--records-per-part", 1),
    minReach: integer(o["min-reach"], "--min-reach", 0),
    maxDrop,
    force: o.force,
    dryRun: o["dry-run"],
    memoryLimit: o["memory-limit"],
    threads: o.threads === undefined ? undefined : integer(o.threads, "--threads", 1),
    jsHeapMb: integer(o["js-heap-mb"], "--js-heap-mb", 64),
    tempDir: o["temp-dir"],
    sync: o.sync,
    edge: o.edge,
    quiet: o.quiet,
  };
}
