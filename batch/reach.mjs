/** The reach file (`reach/latest.json` in the origin): members per segment, the change since the last run, and the segments too small to sell. */

/**
 * @param {{ version: number, computedAt: number, minimum: number, counts: Record<string, number>,
 *   previousCounts: Record<string, number> | null, names: Record<string, string>, taxonomy?: number }} run
 *   previousCounts: null when there was no last run to compare with
 */
export function reachOf({ version, computedAt, minimum, counts, previousCounts, names, taxonomy }) {
  const ids = [...new Set([...Object.keys(names), ...Object.keys(counts)])].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return {
    version,
    computedAt: new Date(computedAt).toISOString(),
    minimum,
    ...(taxonomy ? { taxonomy } : {}),
    segments: ids.map((id) => {
      const members = counts[id] ?? 0;
      const previous = previousCounts ? (previousCounts[id] ?? 0) : null;
      return {
        id,
        name: names[id] ?? null,
        members,
        previous,
        change: previous === null ? null : members - previous,
        belowMinimum: members < minimum,
      };
    }),
  };
}
