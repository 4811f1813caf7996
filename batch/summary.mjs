/** The one-screen summary a run ends with. */

const n = (x) => x.toLocaleString("en-US");
const reasons = (r) =>
  Object.entries(r)
    .map(([why, count]) => `${why} ${n(count)}`)
    .join(", ");
const skipped = (r) => {
  const total = Object.values(r).reduce((a, b) => a + b, 0);
  return total ? ` (${n(total)} skipped: ${reasons(r)})` : "";
};

const linked = (e) => (e.linkedUids ? `; ${n(e.linkedUids)} uids linked into ${n(e.persons)} persons` : "");

/**
 * @param {{ outcome: "published" | "unchanged" | "stopped" | "dry-run", reason?: string, version?: number, kind?: string,
 *   destination: string, log: { objects: number, lines: number, skippedObjects: Record<string, number>, skippedLines: Record<string, number> },
 *   events: { events: number, duplicates: number, droppedUsers: number, users: number, linkedUids?: number, persons?: number },
 *   reach: ReturnType<typeof import("./reach.mjs").reachOf>, parts?: number, upserts?: number, deletes?: number, usersUnchanged?: boolean,
 *   pages?: { version: number, kind: string, pages: number, skippedUrls: number, parts: number, upserts: number, deletes: number, published: boolean },
 *   seconds: number, peakRssMiB: number, synced?: string }} run
 */
export function formatSummary(run) {
  const head = {
    published: run.usersUnchanged
      ? `no user's segments changed since version ${run.version}; pages published to ${run.destination}`
      : `published version ${run.version} (${run.kind}) to ${run.destination}`,
    unchanged: `no user's segments changed since version ${run.version}: nothing published`,
    stopped: `stopped: ${run.reason}`,
    "dry-run": `dry run: version ${run.version} (${run.kind}) computed, nothing written`,
  }[run.outcome];
  const width = Math.max(0, ...run.reach.segments.map((s) => `${s.id} ${s.name ?? ""}`.length));
  const lines = [
    `batch: ${head}`,
    `  log       ${n(run.log.objects)} objects${skipped(run.log.skippedObjects)}, ${n(run.log.lines)} lines${skipped(run.log.skippedLines)}`,
    `  events    ${n(run.events.events)} of ${n(run.events.users)} users, after ${n(run.events.duplicates)} duplicates; ${n(run.events.droppedUsers)} users dropped (opt-out or erasure)${linked(run.events)}`,
  ];
  run.reach.segments.forEach((s, i) => {
    const change = s.change === null ? "" : ` (${s.change >= 0 ? "+" : ""}${n(s.change)})`;
    const flag = s.belowMinimum ? `  below ${n(run.reach.minimum)}` : "";
    lines.push(
      `  ${i === 0 ? "segments" : "        "}  ${`${s.id} ${s.name ?? ""}`.padEnd(width)}  ${n(s.members).padStart(10)}${change}${flag}`,
    );
  });
  if (run.outcome === "published" || run.outcome === "dry-run")
    lines.push(`  origin    ${n(run.parts ?? 0)} parts: ${n(run.upserts ?? 0)} users with segments, ${n(run.deletes ?? 0)} deletes`);
  if (run.pages) {
    const p = run.pages;
    const skippedUrls = p.skippedUrls ? `; ${n(p.skippedUrls)} addresses the edge would reject` : "";
    const published = p.published
      ? `version ${p.version} (${p.kind}): ${n(p.parts)} parts, ${n(p.upserts)} pages with categories, ${n(p.deletes)} deletes`
      : "unchanged";
    lines.push(`  pages     ${n(p.pages)} pages categorised${skippedUrls}; ${run.outcome === "published" ? published : "not published"}`);
  }
  if (run.synced) lines.push(`  sync      ${run.synced}`);
  const rate = run.seconds > 0 ? `, ${n(Math.round(run.log.lines / run.seconds))} lines/s` : "";
  lines.push(`  run       ${run.seconds.toFixed(1)} s${rate}, peak RSS ${n(run.peakRssMiB)} MiB`);
  return lines.join("\n");
}
