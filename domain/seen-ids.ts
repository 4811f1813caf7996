/** The event ids a user's object remembers for dedupe, grouped by the day they arrived: one stored row per day, so a call writes one. */

export const DAY_MS = 86_400_000;

/**
 * Ids in arrival order within each day. Remembering by arrival (not the event's own `ts`) keeps every id
 * at least as long as asked, and puts a call's new ids in one row whatever times the client claims.
 */
export class SeenIds {
  private readonly days = new Map<number, string[]>();
  private readonly dayOf = new Map<string, number>();
  /** Days whose row must be written (or deleted, when empty) by the next save. */
  readonly dirty = new Set<number>();

  get size(): number {
    return this.dayOf.size;
  }

  has(id: string): boolean {
    return this.dayOf.has(id);
  }

  add(id: string, now: number): void {
    const day = Math.floor(now / DAY_MS);
    let ids = this.days.get(day);
    if (!ids) this.days.set(day, (ids = []));
    ids.push(id);
    this.dayOf.set(id, day);
    this.dirty.add(day);
  }

  /** Restores one stored day. */
  load(day: number, ids: readonly string[]): void {
    this.days.set(day, [...ids]);
    for (const id of ids) this.dayOf.set(id, day);
  }

  /**
   * Forgets the days wholly older than `horizonMs` (an id is kept up to a day longer than asked), then the
   * oldest ids while more than `max` remain.
   */
  forget(now: number, horizonMs: number, max: number): void {
    const firstKept = Math.floor((now - horizonMs) / DAY_MS);
    for (const day of [...this.days.keys()].sort((a, b) => a - b)) {
      const ids = this.days.get(day)!;
      const over = this.dayOf.size - max;
      if (day >= firstKept && over <= 0) break;
      const drop = day < firstKept ? ids.length : Math.min(over, ids.length);
      for (const id of ids.splice(0, drop)) this.dayOf.delete(id);
      if (!ids.length) this.days.delete(day);
      this.dirty.add(day);
    }
  }

  /** Every day's ids, for a merge into another user's object. */
  entries(): [number, string[]][] {
    return [...this.days].map(([day, ids]) => [day, [...ids]]);
  }

  /** Remembers another user's ids under the days they arrived on (ids known here already stay where they are). */
  merge(entries: readonly [number, readonly string[]][]): void {
    for (const [day, ids] of entries) for (const id of ids) if (!this.has(id)) this.add(id, day * DAY_MS);
  }

  /** A day's ids to store, or undefined when the day holds none any more (its row goes). */
  row(day: number): string[] | undefined {
    return this.days.get(day);
  }

  clear(): void {
    this.days.clear();
    this.dayOf.clear();
    this.dirty.clear();
  }
}
