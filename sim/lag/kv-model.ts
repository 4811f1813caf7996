/**
 * Workers KV as the simulation sees it: writes land in a central store and reach each location after a
 * propagation delay; each location's reads go through KV's own edge cache (cacheTtl), "not found" included.
 * Values are version numbers (0 = no record).
 */
import { hashUnit } from "./random";

export interface KvModelOptions {
  locations: number;
  /** Delay until a write can be read at another location. */
  propagationMs: number;
  /** Each (write, location) delay is uniform in propagationMs × [1 - jitter, 1 + jitter]. */
  jitter: number;
  /** KV's edge cache: a location re-reads the central value at most this often per key. */
  cacheTtlMs: number;
  seed: number;
  /** The version every location sees before any write (known users start with a record). */
  initial: (key: number) => number;
}

interface Write {
  version: number;
  at: number;
  from: number;
}

interface Cached {
  version: number;
  at: number;
}

export class KvModel {
  /** Billable read operations (KV bills every read, edge-cache hit or not). */
  reads = 0;
  /** Reads answered by a location's edge cache without going to the central store. */
  edgeHits = 0;
  writes = 0;
  private readonly log = new Map<number, Write[]>();
  private readonly edge: Map<number, Cached>[];

  constructor(readonly options: KvModelOptions) {
    this.edge = Array.from({ length: options.locations }, () => new Map());
  }

  /**
   * A write from location `from`: visible there at once (KV's documented read-your-writes in the writing
   * location, its edge cache included), elsewhere after the propagation delay.
   */
  write(key: number, version: number, from: number, now: number): void {
    this.writes++;
    let log = this.log.get(key);
    if (!log) this.log.set(key, (log = []));
    log.push({ version, at: now, from });
    this.edge[from]!.set(key, { version, at: now });
  }

  /** A read at location `loc`: the edge cache's copy while younger than cacheTtl, else the value visible there now. */
  read(key: number, loc: number, now: number): number {
    this.reads++;
    const cached = this.cachedAt(key, loc, now);
    if (cached !== undefined) {
      this.edgeHits++;
      return cached;
    }
    const version = this.visible(key, loc, now);
    this.edge[loc]!.set(key, { version, at: now });
    return version;
  }

  /** The edge cache's copy if still fresh (no side effect). */
  cachedAt(key: number, loc: number, now: number): number | undefined {
    const c = this.edge[loc]!.get(key);
    return c && now - c.at < this.options.cacheTtlMs ? c.version : undefined;
  }

  /** The newest write (by write order) that has reached `loc` by `now`. */
  visible(key: number, loc: number, now: number): number {
    const log = this.log.get(key);
    if (log) {
      for (let i = log.length - 1; i >= 0; i--) {
        const w = log[i]!;
        if (w.at + this.delay(key, w, loc) <= now) return w.version;
      }
    }
    return this.options.initial(key);
  }

  private delay(key: number, w: Write, loc: number): number {
    if (loc === w.from) return 0;
    const { propagationMs, jitter, seed } = this.options;
    return propagationMs * (1 + jitter * (2 * hashUnit(seed, key, w.version, loc) - 1));
  }
}
