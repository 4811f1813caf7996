// Whether a heap stops growing: least-squares slope over the soak's windows once the cache is full, and a verdict.

/** Least-squares slope of y over x. */
export function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}

/**
 * Level means both: a least-squares slope within the tolerance, and every window within a band. The band
 * catches what a slope alone passes: a heap that climbs and then drops (a memo emptied when full).
 * @param {{ t_s: number, mib: number }[]} full the heap at the end of each window after the cache filled
 * @param {{ slopeMibPerMin: number, bandMib: number }} tolerance
 */
export function heapTrend(full, tolerance) {
  // Two windows give a slope of pure noise; fewer give none.
  if (full.length < 3) return { windows: full.length, pass: false, reason: "fewer than 3 windows with the cache full: nothing to judge" };
  const heap = full.map((w) => w.mib);
  const perMin = slope(full.map((w) => ({ x: w.t_s / 60, y: w.mib })));
  return {
    windows: full.length,
    first_mib: heap[0],
    last_mib: heap.at(-1),
    min_mib: Math.min(...heap),
    max_mib: Math.max(...heap),
    slope_mib_per_min: Math.round(perMin * 1000) / 1000,
    tolerance: { slope_mib_per_min: tolerance.slopeMibPerMin, band_mib: tolerance.bandMib },
    pass: perMin <= tolerance.slopeMibPerMin && Math.max(...heap) - Math.min(...heap) <= tolerance.bandMib,
  };
}
