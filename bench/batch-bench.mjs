// `npm run bench:batch`: generates N events (Zipf users) into a log folder and times one batch run over it, at each size.
//
// usage: npm run bench:batch -- [--sizes 1000000,10000000] [--users-per-event 0.1] [--memory-limit 1GB] [--threads N]
// The run is the real job (node batch/run.mjs) in a child process, reading the log from a folder laid out like the bucket
// and writing the origin to another: what it measures is reading, DuckDB and writing, not a network.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { dirBucket } from "../batch/buckets.mjs";
import { writeSampleLog } from "../batch/sample-log.mjs";

const { values: opt } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000000,10000000" },
    "users-per-event": { type: "string", default: "0.1" },
    "memory-limit": { type: "string", default: "1GB" },
    threads: { type: "string" },
  },
});
const sizes = opt.sizes.split(",").map(Number);
const END = Date.parse("2026-12-04T00:00:00Z");
const rows = [];
for (const events of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "udn-bench-batch-"));
  try {
    const users = Math.max(1, Math.round(events * Number(opt["users-per-event"])));
    const t0 = performance.now();
    const log = await writeSampleLog(dirBucket(join(dir, "log")), { events, users, end: END });
    const generateS = (performance.now() - t0) / 1000;
    const args = [
      "batch/run.mjs",
      "--events-dir",
      join(dir, "log"),
      "--origin-dir",
      join(dir, "origin"),
      "--temp-dir",
      dir,
      "--as-of",
      String(END),
    ];
    args.push("--memory-limit", opt["memory-limit"], "--quiet", ...(opt.threads ? ["--threads", opt.threads] : []));
    const t1 = performance.now();
    const run = spawnSync(process.execPath, args, { encoding: "utf8" });
    const runS = (performance.now() - t1) / 1000;
    if (run.status !== 0) throw new Error(`batch run failed (${run.status}): ${run.stderr}`);
    // The job's own figure: getrusage's maxrss of its process, DuckDB's native memory included.
    const rss = Number(/peak RSS ([\d,]+) MiB/.exec(run.stdout)?.[1].replaceAll(",", ""));
    rows.push({
      events,
      lines: log.lines,
      users,
      objects: log.objects,
      generateS,
      runS,
      eventsPerS: Math.round(log.lines / runS),
      peakRssMiB: rss,
    });
    console.error(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(
  `batch benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, memory limit ${opt["memory-limit"]}`,
);
console.log("| events | lines (with duplicates) | users | objects | run (s) | lines/s | peak RSS (MiB) |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  const f = (x) => x.toLocaleString("en-US");
  console.log(
    `| ${f(r.events)} | ${f(r.lines)} | ${f(r.users)} | ${f(r.objects)} | ${r.runS.toFixed(1)} | ${f(r.eventsPerS)} | ${f(r.peakRssMiB)} |`,
  );
}
