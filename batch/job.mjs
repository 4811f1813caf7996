/** One batch run: the log in, segments and pages computed, new versions (parts, last-run state, manifests, then reach) out. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropGuard, kindFor, recordFor } from "./diff.mjs";
import {
  compare,
  loadEvents,
  loadPrevious,
  loadPreviousPages,
  openEngine,
  pageLists,
  runPages,
  runSegments,
  saveState,
  userLists,
} from "./engine.mjs";
import { checkRecord, createPartWriter, manifestOf } from "./origin-parts.mjs";
import { pageKey } from "./page-url.mjs";
import { reachOf } from "./reach.mjs";
import { readLog } from "./read-log.mjs";
import { loadPageFiles, loadSegments } from "./segments.mjs";

/** Where each run leaves its memberships for the next run to diff against, beside the version it published. */
export const stateKey = (version) => `batch-state/v${version}/memberships.parquet`;
/** The pages of the same run, beside its memberships. */
export const pagesStateKey = (version) => `batch-state/v${version}/pages.parquet`;
export const REACH_KEY = "reach/latest.json";
/** When the users and the pages were last published whole (ms): a delta leaves the unchanged to lapse, so they are renewed. */
export const refreshedKey = (version) => `batch-state/v${version}/refreshed.json`;

const TTL_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Writes the records of one version (users' or pages'), each checked as the sync will check it.
 * @param {AsyncIterable<{ before: unknown, now: unknown } & Record<string, string>>} rows each a user's or a page's memberships before and now
 * @param {"full" | "delta"} kind
 * @param {"uid" | "url"} key what a row is keyed by, and what a record carries
 * @param {Parameters<typeof createPartWriter>[0]} at
 */
async function writeRecords(rows, kind, key, at) {
  const writer = createPartWriter(at);
  let upserts = 0;
  let deletes = 0;
  for await (const row of rows) {
    const r = recordFor(row.before, row.now, kind);
    if (!r) continue;
    const checked = checkRecord({ [key]: row[key], ...r });
    if ("error" in checked) throw new Error(`${key === "uid" ? "user" : "page"} ${JSON.stringify(row[key])}: ${checked.error}`);
    await writer.write(checked.record);
    if ("delete" in r) deletes++;
    else upserts++;
  }
  return { parts: await writer.finish(), upserts, deletes };
}

/**
 * @param {ReturnType<typeof import("./args.mjs").parseBatchArgs>} opts
 * @param {{ events: import("./buckets.mjs").Bucket, origin: import("./buckets.mjs").Bucket, destination: string }} buckets
 * @param {ReturnType<typeof import("./progress.mjs").createProgress>} progress
 * @param {() => number} [now]
 */
export async function runBatch(opts, { events, origin, destination }, progress, now = Date.now) {
  const started = now();
  const segments = await loadSegments(opts.segmentsDir);
  const pageFiles = await loadPageFiles(opts.pagesDir);
  // The run's files hold users' ids: they go when it ends, however it ends.
  const work = await mkdtemp(join(opts.tempDir ?? tmpdir(), "udn-batch-"));
  let db;
  try {
    await Promise.all(["stage", "parts", "page-parts"].map((d) => mkdir(join(work, d))));
    const latest = await origin.get("manifests/latest.json");
    const previousVersion = latest ? Number(JSON.parse(new TextDecoder().decode(latest)).version) : 0;
    const state = previousVersion ? await origin.get(stateKey(previousVersion)) : null;
    if (state) await writeFile(join(work, "previous.parquet"), state);
    const pagesState = state ? await origin.get(pagesStateKey(previousVersion)) : null;
    if (pagesState) await writeFile(join(work, "previous-pages.parquet"), pagesState);
    const refreshedBytes = state ? await origin.get(refreshedKey(previousVersion)) : null;
    const refreshed = refreshedBytes ? JSON.parse(new TextDecoder().decode(refreshedBytes)) : { users: 0, pages: 0 };

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
    const pageCounts = await runPages(db, pageFiles, pageKey, (stem, rows) =>
      progress.stage(`pages ${stem}: ${rows.toLocaleString("en-US")} rows`),
    );
    await loadPrevious(db, state ? join(work, "previous.parquet") : null);
    await loadPreviousPages(db, pagesState ? join(work, "previous-pages.parquet") : null);
    const cmp = await compare(db);

    // A delta carries only who changed; the others' records lapse segmentTtl after the version that last wrote them.
    // So `auto` publishes whole again once half the ttl has passed since the last whole version: nobody lapses.
    const ttlMs = Number(opts.segmentTtl.slice(0, -1)) * TTL_UNIT_MS[opts.segmentTtl.at(-1)];
    const due = (at) => now() - (at ?? 0) >= ttlMs / 2;
    const kind = kindFor(opts.kind, state !== null, due(refreshed.users));
    // Pages have a last run to diff against only when the last run kept them.
    const pagesKind = opts.kind === "full" || pagesState === null || (opts.kind === "auto" && due(refreshed.pages)) ? "full" : "delta";
    const usersVersion = opts.version ?? Math.max(Math.floor(now() / 1000), previousVersion + 1);
    if (usersVersion <= previousVersion)
      throw new Error(`--version ${usersVersion} must be greater than the origin's latest version ${previousVersion}`);
    const names = Object.fromEntries(segments.flatMap((s) => s.declared.map((d) => [d.id, d.name])));
    const reachFor = (version) =>
      reachOf({
        version,
        computedAt: now(),
        minimum: opts.minReach,
        counts: cmp.counts,
        previousCounts: state ? cmp.previousCounts : null,
        names,
        taxonomy: opts.taxonomy,
      });
    const result = { destination, log, events: ev, kind, version: usersVersion };
    const finish = (fields) => ({
      ...result,
      reach: reachFor(fields.version ?? result.version),
      ...fields,
      seconds: (now() - started) / 1000,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    });

    const stop = dropGuard(cmp, opts.maxDrop, opts.force);
    if (stop) return finish({ outcome: "stopped", reason: stop });

    progress.stage(`writing ${kind} version ${usersVersion}`);
    const { parts, upserts, deletes } = await writeRecords(userLists(db, { changedOnly: kind === "delta" }), kind, "uid", {
      dir: join(work, "parts"),
      version: usersVersion,
      perPart: opts.perPart,
    });
    const usersChanged = kind === "full" || upserts + deletes > 0;

    // Page ids are of another taxonomy than users' (a version has one): pages go in a version of their own, after the users'.
    const pagesVersion = usersChanged ? usersVersion + 1 : usersVersion;
    const { parts: pageParts, ...pageChanges } = await writeRecords(
      pageLists(db, { changedOnly: pagesKind === "delta" }),
      pagesKind,
      "url",
      { dir: join(work, "page-parts"), version: pagesVersion, perPart: opts.perPart },
    );
    const pages = { version: pagesVersion, kind: pagesKind, pages: pageCounts.pages, skippedUrls: pageCounts.skippedUrls, ...pageChanges };
    const pagesChanged = pages.upserts + pages.deletes > 0;
    const pagesResult =
      pageFiles.length || pagesState ? { pages: { ...pages, parts: pagesChanged ? pageParts.length : 0, published: pagesChanged } } : {};

    if (!usersChanged && !pagesChanged) return finish({ outcome: "unchanged", version: previousVersion, ...pagesResult });
    const usersFields = usersChanged
      ? { parts: parts.length, upserts, deletes }
      : { version: previousVersion, usersUnchanged: true, parts: 0, upserts: 0, deletes: 0 };
    if (opts.dryRun) return finish({ outcome: "dry-run", ...usersFields, ...pagesResult });

    // The parts, then the state the next run diffs against, then the manifests: a run stopped before its manifests
    // published nothing, and the next run diffs against the last published version, not the broken one. The state
    // lives beside the run's last version, the one latest.json names.
    const versions = [
      ...(usersChanged ? [{ version: usersVersion, kind, parts, taxonomy: opts.taxonomy }] : []),
      ...(pagesChanged ? [{ version: pagesVersion, kind: pagesKind, parts: pageParts, taxonomy: opts.pageTaxonomy }] : []),
    ];
    for (const v of versions)
      for (const [i, p] of v.parts.entries()) {
        await origin.put(p.key, await readFile(p.path), "application/x-ndjson");
        progress.stage(`part ${i + 1} of ${v.parts.length} of version ${v.version} written: ${p.key}`);
      }
    const last = versions.at(-1).version;
    await saveState(db, join(work, "memberships.parquet"), join(work, "pages.parquet"));
    await origin.put(stateKey(last), await readFile(join(work, "memberships.parquet")), "application/vnd.apache.parquet");
    await origin.put(pagesStateKey(last), await readFile(join(work, "pages.parquet")), "application/vnd.apache.parquet");
    const renewed = {
      users: usersChanged && kind === "full" ? now() : (refreshed.users ?? 0),
      pages: pagesChanged && pagesKind === "full" ? now() : (refreshed.pages ?? 0),
    };
    await origin.put(refreshedKey(last), new TextEncoder().encode(JSON.stringify(renewed)), "application/json");
    let manifest;
    for (const v of versions) {
      manifest = new TextEncoder().encode(JSON.stringify(manifestOf({ ...v, segmentTtl: opts.segmentTtl })));
      await origin.put(`manifests/v${v.version}.json`, manifest, "application/json");
    }
    await origin.put("manifests/latest.json", manifest, "application/json");
    const done = finish({ outcome: "published", ...usersFields, ...pagesResult });
    await origin.put(REACH_KEY, new TextEncoder().encode(JSON.stringify(done.reach)), "application/json");
    return done;
  } finally {
    db?.close();
    await rm(work, { recursive: true, force: true });
  }
}
