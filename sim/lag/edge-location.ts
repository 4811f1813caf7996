/**
 * One edge location: its isolates, each with the real ReadCache and the settings we ship, answering a
 * lookup the way `lookupProfile` does (fresh hit; stale hit that refreshes in the background; miss that reads
 * the location's cache, else KV, which fills the location's cache). Reads take no virtual time: they last
 * milliseconds, the effects measured here last seconds.
 */

import type { Profile } from "../../domain/profile-record";
import { type Outcome, ReadCache, type ReadCacheOptions } from "../../domain/read-cache";
import type { KvModel } from "./kv-model";

/** The profile object a version stands for (null = no record); its `ts` carries the version. */
export type ProfileOf = (key: number, version: number) => Profile | null;

export interface Answer {
  version: number;
  outcome: Outcome;
  /** The lookup (or the refresh it started) read KV. */
  kvRead: boolean;
}

export class EdgeLocation {
  readonly isolates: ReadCache<Profile>[];
  /** KV reads this location made: misses plus background refreshes the location's cache could not answer. */
  kvReads = 0;
  /** The location's cache (Cache API): a version per key and when it was put. */
  private readonly shared = new Map<number, { version: number; at: number }>();

  constructor(
    readonly index: number,
    isolates: number,
    cache: ReadCacheOptions,
    private readonly kv: KvModel,
    private readonly profileOf: ProfileOf,
    /** LOCATION_CACHE_S in ms; 0: no location tier. */
    private readonly locationTtlMs: number,
  ) {
    this.isolates = Array.from({ length: isolates }, () => new ReadCache<Profile>(cache));
  }

  lookup(isolate: number, key: number, uid: string, now: number): Answer {
    const cache = this.isolates[isolate]!;
    const { outcome, value } = cache.peek(uid, now);
    if (outcome === "miss") return { ...this.load(cache, key, uid, now), outcome };
    // A stale entry is the answer; the refresh it starts only helps the next lookup.
    const kvRead = outcome === "stale" && this.load(cache, key, uid, now).kvRead;
    return { version: value?.ts ?? 0, outcome, kvRead };
  }

  /** The object's reply after the user's own events: straight into the isolate that forwarded them, and the location's cache. */
  writeThrough(isolate: number, key: number, uid: string, version: number, now: number): void {
    this.isolates[isolate]!.set(uid, this.profileOf(key, version), now);
    if (this.locationTtlMs) this.shared.set(key, { version, at: now });
  }

  /** The location cache's version if its entry is still fresh (no side effect). */
  locationCached(key: number, now: number): number | undefined {
    const e = this.shared.get(key);
    return e && now - e.at < this.locationTtlMs ? e.version : undefined;
  }

  private load(cache: ReadCache<Profile>, key: number, uid: string, now: number): { version: number; kvRead: boolean } {
    let version = this.locationCached(key, now);
    const kvRead = version === undefined;
    if (version === undefined) {
      this.kvReads++;
      version = this.kv.read(key, this.index, now);
      if (this.locationTtlMs) this.shared.set(key, { version, at: now });
    }
    cache.offer(uid, this.profileOf(key, version), now, now);
    return { version, kvRead };
  }
}
