/** One batch run: the log in, segments computed, a new version (parts, last-run state, manifest, then reach) out. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropGuard, kindFor, recordFor } from "./diff.mjs";
import { compare, loadEvents, loadPrevious, openEngine, runSegments, saveMemberships, userLists } from "./engine.mjs";
import { checkRecord, createPartWriter, manifestOf } from "./origin-parts.mjs";
import { reachOf } from "./reach.mjs";
import { readLog } from "./read-log.mjs";
import { loadSegments } from "./segments.mjs";

/** Where each run leaves its memberships for the next run to diff against, beside the version it published. */
export const stateKey = (version) => `batch-state/v${version}/memberships.parquet`;
export const REACH_KEY = "reach/latest.json";

/**
 * @param {ReturnType<typeof import("./args.mjs").parseBatchArgs>} opts
 * @param {{ events: import("./buckets.mjs").Bucket, origin: import("./buckets.mjs").Bucket, destination: string }} buckets
 * @param {ReturnType<typeof import("./progress.mjs").createProgress>} progress
 * @param {() => number} [now]
 */
export async function runBatch(opts, { events, origin, destination }, progress, now = Date.now) {
  const started = now();
  const segments = await loadSegments(opts.segmentsDir);
  // The run's files hold users' ids: they go when it ends, however it ends.
  const work = await mkdtemp(join(opts.tempDir ?? tmpdir(), "udn-batch-"));
  let db;
  try {
    await Promise.all(["stage", "parts"].map((d) => mkdir(join(work, d))));
    const latest = await origin.get("manifests/latest.json");
    const previousVersion = latest ? Number(JSON.parse(new TextDecoder().decode(latest)).version) : 0;
    const state = previousVersion ? await origin.get(stateKey(previousVersion)) : null;
    if (state) await writeFile(join(work, "previous.parquet"), state);

    progress.stage(
      `reading the event log from ${opts.events.dir ?? `${opts.events.s3 ? "the remote" : "the local"} bucket ${opts.events.bucket}`}`,
    );
    const log = await readLog(events, {
      stageDir: join(work, "stage"),
      since: opts.since,
      onProgress: (p) => progress.tick(`${p.objects.toLocaleString("en-US")} objects, ${p.lines.toLocaleString("en-US")} lines`),
    });

    progress.stage(`loading ${log.lines.toLocaleString("en-US")} lines into DuckDB (memory limit ${opts.memoryLimit})`);
    db = await openEngine({ dir: work, memoryLimit: opts.memoryLimit, threads: opts.threads });
    const ev = await loadEvents(db, log.files, opts.asOf);
    await Promise.all(log.files.map((f) => rm(f)));
    await runSegments(db, segments, (stem, members) => progress.stage(`segment ${stem}: ${members.toLocaleString("en-US")} members`));
    await loadPrevious(db, state ? join(work, "previous.parquet") : null);
    const cmp = await compare(db);

    const kind = kindFor(opts.kind, state !== null);
    const version = opts.version ?? Math.max(Math.floor(now() / 1000), previousVersion + 1);
    if (version <= previousVersion)
      throw new Error(`--version ${version} must be greater than the origin's latest version ${previousVersion}`);
    const names = Object.fromEntries(segments.flatMap((s) => s.declared.map((d) => [d.id, d.name])));
    const reach = reachOf({
      version,
      computedAt: now(),
      minimum: opts.minReach,
      counts: cmp.counts,
      previousCounts: state ? cmp.previousCounts : null,
      names,
      taxonomy: opts.taxonomy,
    });
    const result = { destination, log, events: ev, reach, kind, version };
    const finish = (fields) => ({
      ...result,
      ...fields,
      seconds: (now() - started) / 1000,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    });

    const stop = dropGuard(cmp, opts.maxDrop, opts.force);
    if (stop) return finish({ outcome: "stopped", reason: stop });

    progress.stage(`writing ${kind} version ${version}`);
    const writer = createPartWriter({ dir: join(work, "parts"), version, perPart: opts.perPart });
    let upserts = 0;
    let deletes = 0;
    for await (const u of userLists(db, { changedOnly: kind === "delta" })) {
      const r = recordFor(u.before, u.now, kind);
      if (!r) continue;
      const checked = checkRecord({ uid: u.uid, ...r });
      if ("error" in checked) throw new Error(`user ${JSON.stringify(u.uid)}: ${checked.error}`);
      await writer.write(checked.record);
      if ("delete" in r) deletes++;
      else upserts++;
    }
    const parts = await writer.finish();
    if (kind === "delta" && upserts + deletes === 0) return finish({ outcome: "unchanged", version: previousVersion });
    if (opts.dryRun) return finish({ outcome: "dry-run", parts: parts.length, upserts, deletes });

    // The parts, then the state the next run diffs against, then the manifests: a run stopped before its manifest
    // published nothing, and the next run diffs against the last published version, not the broken one.
    for (const [i, p] of parts.entries()) {
      await origin.put(p.key, await readFile(p.path), "application/x-ndjson");
      progress.stage(`part ${i + 1} of ${parts.length} written: ${p.key}`);
    }
    await saveMemberships(db, join(work, "memberships.parquet"));
    await origin.put(stateKey(version), await readFile(join(work, "memberships.parquet")), "application/vnd.apache.parquet");
    const manifest = JSON.stringify(manifestOf({ version, kind, parts, segmentTtl: opts.segmentTtl, taxonomy: opts.taxonomy }));
    const bytes = new TextEncoder().encode(manifest);
    await origin.put(`manifests/v${version}.json`, bytes, "application/json");
    await origin.put("manifests/latest.json", bytes, "application/json");
    await origin.put(REACH_KEY, new TextEncoder().encode(JSON.stringify(reach)), "application/json");
    return finish({ outcome: "published", parts: parts.length, upserts, deletes });
  } finally {
    db?.close();
    await rm(work, { recursive: true, force: true });
  }
}
