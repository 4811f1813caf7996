/** DuckDB, embedded: loads the staged log into `events` (deduplicated, linked uids under their person, opted-out and erased users dropped), runs the segment and page files, diffs with the last run. */
import { DuckDBInstance } from "@duckdb/node-api";

const DAY_MS = 86_400_000;
const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

/**
 * A database in a file under `dir`, spilling to `dir/spill` past `memoryLimit`: tables and sorts larger than memory
 * go to disk, so memory stays bounded however long the log.
 * @param {{ dir: string, memoryLimit: string, threads?: number }} options
 */
export async function openEngine({ dir, memoryLimit, threads }) {
  const instance = await DuckDBInstance.create(`${dir}/batch.duckdb`, {
    memory_limit: memoryLimit,
    temp_directory: `${dir}/spill`,
    preserve_insertion_order: "false",
    ...(threads ? { threads: String(threads) } : {}),
  });
  const conn = await instance.connect();
  const rows = async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
  const one = async (sql) => (await rows(sql))[0];
  return {
    conn,
    rows,
    one,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * `events`: each `(uid, id)` once, under the person each uid links into; without the opt-out, erasure and link lines,
 * and without every event a person sent at or before their latest opt-out or erasure (under any of their uids).
 * `links (uid, person)`: each linked uid and the person it counts as. `params`: the run's time. Props the segment
 * files use are columns, so the files need no engine's JSON functions.
 * @param {Awaited<ReturnType<typeof openEngine>>} db
 * @param {string[]} files staged NDJSON
 */
export async function loadEvents(db, files, asOf) {
  await db.conn.run(`CREATE TABLE params AS SELECT CAST(${asOf} AS BIGINT) AS as_of, CAST(${DAY_MS} AS BIGINT) AS day_ms`);
  // The props become columns as they are read, and duplicates go by a window (a sort, which spills to disk) rather
  // than DISTINCT ON (a hash aggregate, which here does not): at 10 million events DISTINCT ON ran out of 512 MB with
  // props as JSON and out of 128 MB with props as columns, where the window stays within 128 MB.
  await db.conn.run(`CREATE TABLE raw AS
    SELECT uid, id, type, ts, COALESCE(received, ts) AS received,
      props->>'category' AS category,
      props->>'url' AS url,
      props->>'type' AS item_type,
      TRY_CAST(props->>'value' AS DOUBLE) AS value,
      CASE WHEN type = 'link' THEN props->>'into' END AS into_uid
    FROM read_ndjson([${files.map(quote).join(", ")}],
      columns = {uid: 'VARCHAR', id: 'VARCHAR', type: 'VARCHAR', ts: 'BIGINT', received: 'BIGINT', props: 'JSON'})`);
  // A uid counts as one person: its latest link's. Links are followed one step only: a person is never linked
  // further, and a line that says otherwise moves only the person's own events, so no chain of links can loop.
  await db.conn.run(`CREATE TABLE links AS
    SELECT uid, into_uid AS person FROM (
      SELECT uid, into_uid, ROW_NUMBER() OVER (PARTITION BY uid ORDER BY received DESC, into_uid DESC) AS n
      FROM raw WHERE type = 'link' AND into_uid <> uid
    ) l WHERE n = 1`);
  // An erasure or opt-out under any uid of a person drops the person: the edge writes one for the person and for
  // each linked uid, and a line that reached the log for only one of them must not leave the others counted.
  await db.conn.run(`CREATE TABLE dropped AS
    SELECT COALESCE(l.person, r.uid) AS uid, MAX(r.received) AS until
    FROM raw r LEFT JOIN links l ON l.uid = r.uid
    WHERE r.type IN ('optout', 'erase') GROUP BY 1`);
  // Duplicates go first, over the log as read, and uids become persons after: a window over the join's output ran
  // out of a small memory limit where this order stays within it.
  await db.conn.run(`CREATE TABLE events AS
    SELECT COALESCE(l.person, e.uid) AS uid, e.id, e.type, e.ts, e.received, e.category, e.url, e.item_type, e.value
    FROM (SELECT uid, id, type, ts, received, category, url, item_type, value,
            ROW_NUMBER() OVER (PARTITION BY uid, id ORDER BY received) AS n FROM raw) e
    LEFT JOIN links l ON l.uid = e.uid
    LEFT JOIN dropped d ON d.uid = COALESCE(l.person, e.uid)
    WHERE e.n = 1 AND e.type NOT IN ('optout', 'erase', 'link') AND (d.until IS NULL OR e.received > d.until)`);
  const counts = await db.one(`SELECT
    (SELECT COUNT(*) FROM raw) AS raw,
    (SELECT COUNT(*) FROM (SELECT DISTINCT uid, id FROM raw)) AS distinct_events,
    (SELECT COUNT(*) FROM events) AS events,
    (SELECT COUNT(*) FROM dropped) AS dropped_users,
    (SELECT COUNT(DISTINCT uid) FROM events) AS users,
    (SELECT COUNT(*) FROM links) AS linked_uids,
    (SELECT COUNT(DISTINCT person) FROM links) AS persons`);
  await db.conn.run("DROP TABLE raw");
  return {
    duplicates: Number(counts.raw) - Number(counts.distinct_events),
    events: Number(counts.events),
    droppedUsers: Number(counts.dropped_users),
    users: Number(counts.users),
    linkedUids: Number(counts.linked_uids),
    persons: Number(counts.persons),
  };
}

/** One file's query into its table, each row's id checked against the file's declarations. */
async function runFile(db, file, key) {
  await db.conn.run(
    `CREATE TABLE ${file.table} AS SELECT CAST(${key} AS VARCHAR) AS ${key}, CAST(segment AS VARCHAR) AS segment FROM (${file.sql}) q`,
  );
  const undeclared = await db.rows(
    `SELECT DISTINCT segment FROM ${file.table} WHERE segment NOT IN (${file.declared.map((d) => quote(d.id)).join(", ")})`,
  );
  if (undeclared.length)
    throw new Error(`${file.stem}.sql returned segment ${JSON.stringify(undeclared[0].segment)}, which it does not declare`);
  return Number((await db.one(`SELECT COUNT(*) AS n FROM ${file.table}`)).n);
}

/**
 * Runs each file into its table `segment_<stem>`, then `memberships (uid, segment)`, each pair once.
 * @param {ReturnType<typeof import("./segments.mjs").orderSegments>} segments
 * @param {(stem: string, members: number) => void} [onSegment]
 */
export async function runSegments(db, segments, onSegment) {
  for (const s of segments) onSegment?.(s.stem, await runFile(db, s, "uid"));
  await db.conn.run(
    `CREATE TABLE memberships AS SELECT DISTINCT uid, segment FROM (${segments.map((s) => `SELECT uid, segment FROM ${s.table}`).join(" UNION ALL ")}) m WHERE uid IS NOT NULL`,
  );
}

/**
 * `page_urls (url, page)`: each address of `events`, with the key the edge stores its page under (`page_key`,
 * batch/page-url.mjs; null when the edge could not key it), so page files count one page's views under all its
 * addresses. Then each page file into its table `page_<stem>`, and `page_memberships (page, url, segment)`: by page,
 * under one of its addresses. Addresses a file returns that the edge would reject are left out and counted.
 * @param {ReturnType<typeof import("./segments.mjs").orderSegments>} files
 * @param {(url: string) => string | null} pageKey
 * @returns {Promise<{ pages: number, skippedUrls: number }>}
 */
export async function runPages(db, files, pageKey, onFile) {
  await db.conn.run("CREATE TABLE page_urls (url VARCHAR, page VARCHAR)");
  // Keyed in JavaScript by the edge's own rules, once per distinct address (a few per page, not one per event).
  const keyUrls = async (source) => {
    const appender = await db.conn.createAppender("page_urls");
    const urls = await db.conn.stream(
      `SELECT DISTINCT s.url FROM (${source}) s WHERE s.url IS NOT NULL AND NOT EXISTS (SELECT 1 FROM page_urls k WHERE k.url = s.url)`,
    );
    for await (const chunk of urls.yieldRows())
      for (const [url] of chunk) {
        const key = pageKey(url);
        appender.appendVarchar(url);
        if (key === null) appender.appendNull();
        else appender.appendVarchar(key);
        appender.endRow();
      }
    appender.closeSync();
  };
  const rows = files.length
    ? files.map((f) => `SELECT url, segment FROM ${f.table}`).join(" UNION ALL ")
    : "SELECT CAST(NULL AS VARCHAR) AS url, CAST(NULL AS VARCHAR) AS segment WHERE false";
  if (files.length) await keyUrls("SELECT url FROM events");
  for (const f of files) onFile?.(f.stem, await runFile(db, f, "url"));
  await keyUrls(`SELECT url FROM (${rows}) r`);
  await db.conn.run(`CREATE TABLE page_memberships AS
    WITH keyed AS (SELECT k.page, r.url, r.segment FROM (${rows}) r JOIN page_urls k ON k.url = r.url WHERE k.page IS NOT NULL),
         first AS (SELECT page, MIN(url) AS url FROM keyed GROUP BY page)
    SELECT DISTINCT k.page, f.url, k.segment FROM keyed k JOIN first f ON f.page = k.page`);
  const counts = await db.one(`SELECT
    (SELECT COUNT(DISTINCT page) FROM page_memberships) AS pages,
    (SELECT COUNT(DISTINCT r.url) FROM (${rows}) r JOIN page_urls k ON k.url = r.url WHERE k.page IS NULL) AS skipped`);
  return { pages: Number(counts.pages), skippedUrls: Number(counts.skipped) };
}

/** The last published run's memberships (a Parquet file), or none. */
export async function loadPrevious(db, parquetPath) {
  if (parquetPath) await db.conn.run(`CREATE TABLE previous AS SELECT uid, segment FROM read_parquet(${quote(parquetPath)})`);
  else await db.conn.run("CREATE TABLE previous (uid VARCHAR, segment VARCHAR)");
}

/** The last published run's pages (a Parquet file), or none. */
export async function loadPreviousPages(db, parquetPath) {
  if (parquetPath) await db.conn.run(`CREATE TABLE previous_pages AS SELECT page, url, segment FROM read_parquet(${quote(parquetPath)})`);
  else await db.conn.run("CREATE TABLE previous_pages (page VARCHAR, url VARCHAR, segment VARCHAR)");
}

/** Members per segment now and in the last run; pairs in the last run that are gone now. */
export async function compare(db) {
  const now = await db.rows("SELECT segment, COUNT(*) AS n FROM memberships GROUP BY segment");
  const before = await db.rows("SELECT segment, COUNT(*) AS n FROM previous GROUP BY segment");
  const totals = await db.one(`SELECT
    (SELECT COUNT(*) FROM memberships) AS now,
    (SELECT COUNT(*) FROM previous) AS before,
    (SELECT COUNT(*) FROM previous p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.uid = p.uid AND m.segment = p.segment)) AS removed`);
  const map = (rs) => Object.fromEntries(rs.map((r) => [r.segment, Number(r.n)]));
  return {
    counts: map(now),
    previousCounts: map(before),
    memberships: Number(totals.now),
    previous: Number(totals.before),
    removed: Number(totals.removed),
  };
}

/**
 * Each user's segments now and in the last run, sorted, for the users whose lists differ (`changedOnly`) or for all.
 * @returns {AsyncGenerator<{ uid: string, now: string[] | null, before: string[] | null }>}
 */
export async function* userLists(db, { changedOnly }) {
  const result = await db.conn.stream(`
    WITH n AS (SELECT uid, list(segment ORDER BY segment) AS segs FROM memberships GROUP BY uid),
         b AS (SELECT uid, list(segment ORDER BY segment) AS segs FROM previous GROUP BY uid)
    SELECT COALESCE(n.uid, b.uid) AS uid, n.segs AS now, b.segs AS before
    FROM n FULL OUTER JOIN b ON n.uid = b.uid
    ${changedOnly ? "WHERE n.segs IS DISTINCT FROM b.segs" : ""}`);
  for await (const rows of result.yieldRowObjectJs()) for (const r of rows) yield { uid: r.uid, now: r.now, before: r.before };
}

/**
 * Each page's categories now and in the last run, sorted, for the pages whose lists differ (`changedOnly`) or for all;
 * `url` is the address it was published under (now's, else the last run's, for a delete).
 * @returns {AsyncGenerator<{ url: string, now: string[] | null, before: string[] | null }>}
 */
export async function* pageLists(db, { changedOnly }) {
  const result = await db.conn.stream(`
    WITH n AS (SELECT page, MIN(url) AS url, list(segment ORDER BY segment) AS segs FROM page_memberships GROUP BY page),
         b AS (SELECT page, MIN(url) AS url, list(segment ORDER BY segment) AS segs FROM previous_pages GROUP BY page)
    SELECT COALESCE(n.url, b.url) AS url, n.segs AS now, b.segs AS before
    FROM n FULL OUTER JOIN b ON n.page = b.page
    ${changedOnly ? "WHERE n.segs IS DISTINCT FROM b.segs" : ""}`);
  for await (const rows of result.yieldRowObjectJs()) for (const r of rows) yield { url: r.url, now: r.now, before: r.before };
}

/** The memberships and the pages as Parquet: the next run's "last run". */
export async function saveState(db, membershipsPath, pagesPath) {
  await db.conn.run(`COPY (SELECT uid, segment FROM memberships ORDER BY uid, segment) TO ${quote(membershipsPath)} (FORMAT parquet)`);
  await db.conn.run(
    `COPY (SELECT page, url, segment FROM page_memberships ORDER BY page, segment) TO ${quote(pagesPath)} (FORMAT parquet)`,
  );
}
