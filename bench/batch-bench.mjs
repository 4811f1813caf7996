// `npm run bench:batch`: generates N events (Zipf users) into a log folder and times batch runs over it, at each size.
//
// usage: npm run bench:batch -- [--sizes 1000000,10000000] [--users-per-event 0.1] [--memory-limit 1GB] [--threads N]
//          [--js-heap-mb 128] [--runs 1]
// Each run is the real job (node batch/run.mjs) in a child process, reading the log from a folder laid out like the
// bucket and writing the origin to another (a fresh one per run: each run publishes a full version): what it measures
// is reading, DuckDB and writing, not a network. Writes bench/batch-results.json.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
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
    "js-heap-mb": { type: "string" },
    runs: { type: "string", default: "1" },
  },
});
const sizes = opt.sizes.split(",").map(Number);
const runs = Number(opt.runs);
const END = Date.parse("2026-12-04T00:00:00Z");
const rows = [];
for (const events of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "udn-bench-batch-"));
  try {
    const users = Math.max(1, Math.round(events * Number(opt["users-per-event"])));
    const t0 = performance.now();
    const log = await writeSampleLog(dirBucket(join(dir, "log")), { events, users, end: END });
    const generateS = (performance.now() - t0) / 1000;
    for (let run = 1; run <= runs; run++) {
      const origin = join(dir, `origin-${run}`);
      const args = ["batch/run.mjs", "--events-dir", join(dir, "log"), "--origin-dir", origin, "--temp-dir", dir];
      args.push("--as-of", String(END), "--memory-limit", opt["memory-limit"], "--quiet");
      if (opt.threads) args.push("--threads", opt.threads);
      if (opt["js-heap-mb"]) args.push("--js-heap-mb", opt["js-heap-mb"]);
      // Two other engineers' work shares this machine: the load average says how busy it was when the run started.
      const load = loadavg()[0];
      const t1 = performance.now();
      const child = spawnSync(process.execPath, args, { encoding: "utf8" });
      const runS = (performance.now() - t1) / 1000;
      if (child.status !== 0) throw new Error(`batch run failed (${child.status}): ${child.stderr}`);
      // The job's own figure: getrusage's maxrss of its process, DuckDB's native memory and every thread included.
      const rss = Number(/peak RSS ([\d,]+) MiB/.exec(child.stdout)?.[1].replaceAll(",", ""));
      rows.push({
        events,
        lines: log.lines,
        users,
        objects: log.objects,
        run,
        generateS: Math.round(generateS * 10) / 10,
        runS: Math.round(runS * 10) / 10,
        eventsPerS: Math.round(log.lines / runS),
        peakRssMiB: rss,
        load1: Math.round(load * 100) / 100,
      });
      console.error(child.stdout);
      rmSync(origin, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const settings = {
  memoryLimit: opt["memory-limit"],
  threads: opt.threads ? Number(opt.threads) : "DuckDB's (all cores)",
  jsHeapMb: opt["js-heap-mb"] ? Number(opt["js-heap-mb"]) : "the job's default",
};
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  settings,
  rows,
};
writeFileSync("bench/batch-results.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `batch benchmark, ${result.date.slice(0, 10)}, ${cpus().length} cores, ${result.machine.memoryGiB} GiB, memory limit ${settings.memoryLimit}, JS heap ${settings.jsHeapMb}`,
);
console.log("| events | lines (with duplicates) | users | objects | run | time (s) | lines/s | peak RSS (MiB) | load |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  const f = (x) => x.toLocaleString("en-US");
  console.log(
    `| ${f(r.events)} | ${f(r.lines)} | ${f(r.users)} | ${f(r.objects)} | ${r.run} | ${r.runS.toFixed(1)} | ${f(r.eventsPerS)} | ${f(r.peakRssMiB)} | ${r.load1} |`,
  );
}
