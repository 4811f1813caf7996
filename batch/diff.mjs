/** What a user's record in the new version is, given their segments in the last run and now; and the guard against a run that empties the origin. */

/**
 * @param {string[] | null} before sorted, or null when the user was in no segment
 * @param {string[] | null} now sorted, or null when the user is in no segment now
 * @param {"full" | "delta"} kind a full version carries every user in a segment; a delta only those who changed
 * @returns {{ uid?: string, segments: string[] } | { delete: true } | null} null: nothing to write for this user
 */
export function recordFor(before, now, kind) {
  const had = before !== null && before.length > 0;
  const has = now !== null && now.length > 0;
  if (has) return kind === "full" || !had || !sameList(before, now) ? { segments: now } : null;
  return had ? { delete: true } : null;
}

function sameList(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Whether the run may publish: a run that removes more than `maxDrop` of the last run's memberships is more likely a
 * broken log, a wrong `--since` or a bad segment file than a change in the audience.
 * @returns {string | null} why it must stop, or null
 */
export function dropGuard({ previous, removed }, maxDrop, force) {
  if (force || previous === 0) return null;
  const share = removed / previous;
  if (share <= maxDrop) return null;
  return `this run would remove ${removed} of the last run's ${previous} memberships (${(share * 100).toFixed(1)}%, more than --max-drop ${maxDrop}); nothing was published. Check the log and the segment files, or rerun with --force.`;
}

/**
 * The kind to publish: a delta needs a last run to be a delta of; `auto` publishes whole when `refreshDue` (half the
 * segment ttl since the last whole version), so records a delta leaves alone never lapse.
 */
export function kindFor(requested, hasPrevious, refreshDue = false) {
  if (requested === "delta" && !hasPrevious) throw new Error("--kind delta needs a last run in the origin (batch-state/) to diff against");
  if (requested === "auto") return hasPrevious && !refreshDue ? "delta" : "full";
  return requested;
}
