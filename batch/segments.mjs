/** The SQL files: each a query over `events` returning `(uid, segment)` (segment files) or `(url, segment)` (page files), run in an order where a query reading another's table comes after it. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SEGMENT } from "./origin-parts.mjs";

const STEM = /^[a-z][a-z0-9_]{0,62}$/;
/** A file declares each id it may emit: `-- segment 805: Purchase Intent* | Automotive Ownership`. */
const DECLARED = /^--\s*segment\s+(\S+):\s*(.+?)\s*$/gm;

/**
 * One file's text, parsed.
 * @param {string} stem the file name without `.sql`; its result is the table `<prefix><stem>`
 * @param {"segment_" | "page_"} [prefix] segment files' tables are `segment_…`, page files' `page_…`
 * @returns {{ stem: string, table: string, sql: string, declared: { id: string, name: string }[] }}
 */
export function parseSegmentFile(stem, text, prefix = "segment_") {
  if (!STEM.test(stem)) throw new Error(`${stem}.sql: a segment file's name must match ${STEM.source} (it names a table)`);
  const declared = [...text.matchAll(DECLARED)].map(([, id, name]) => ({ id, name }));
  if (!declared.length) throw new Error(`${stem}.sql: declare each segment it returns in a line "-- segment <id>: <name>"`);
  for (const d of declared) if (!SEGMENT.test(d.id)) throw new Error(`${stem}.sql: segment id "${d.id}" must match ${SEGMENT.source}`);
  const sql = text.trim().replace(/;\s*$/, "");
  if (!sql.replace(/--.*$/gm, "").trim()) throw new Error(`${stem}.sql: holds no query`);
  return { stem, table: `${prefix}${stem}`, sql, declared };
}

/** Files in an order where each runs after every file whose table it names; a cycle is an error. */
export function orderSegments(files) {
  const byTable = new Map(files.map((f) => [f.table, f]));
  const reads = (f) => [...byTable.keys()].filter((t) => t !== f.table && new RegExp(`\\b${t}\\b`).test(f.sql));
  const done = new Set();
  const visiting = new Set();
  const order = [];
  const visit = (f, path) => {
    if (done.has(f.table)) return;
    if (visiting.has(f.table)) throw new Error(`segment files read each other in a circle: ${[...path, f.stem].join(" → ")}`);
    visiting.add(f.table);
    for (const t of reads(f)) visit(byTable.get(t), [...path, f.stem]);
    visiting.delete(f.table);
    done.add(f.table);
    order.push(f);
  };
  for (const f of [...files].sort((a, b) => (a.stem < b.stem ? -1 : 1))) visit(f, []);
  return order;
}

/** Every `*.sql` of a folder, parsed and ordered. */
export async function loadSegments(dir) {
  const files = await loadFiles(dir, "segment_");
  if (!files.length) throw new Error(`${dir} holds no segment files (*.sql)`);
  return files;
}

/** The page files of a folder (none without a folder: a run may compute no pages). */
export async function loadPageFiles(dir) {
  return dir ? loadFiles(dir, "page_") : [];
}

async function loadFiles(dir, prefix) {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".sql")).sort();
  const files = [];
  for (const n of names) files.push(parseSegmentFile(n.slice(0, -4), await readFile(join(dir, n), "utf8"), prefix));
  return orderSegments(files);
}
