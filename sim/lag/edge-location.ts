/**
 * One edge location: its isolates, each with the real ReadCache and the settings we ship, answering a
 * lookup the way `lookupProfile` does (fresh hit; stale hit that refreshes in the background; miss that reads KV).
 * KV reads take no virtual time: they last milliseconds, the effects measured here last seconds.
 */

import type { Profile } from "../../domain/profile-record";
import { type Outcome, ReadCache, type ReadCacheOptions } from "../../domain/read-cache";
import type { KvModel } from "./kv-model";

/** The profile object a version stands for (null = no record); its `ts` carries the version. */
export type ProfileOf = (key: number, version: number) => Profile | null;

export interface Answer {
  version: number;
  outcome: Outcome;
}

export class EdgeLocation {
  readonly isolates: ReadCache<Profile>[];
  /** KV reads this location made: misses plus background refreshes. */
  kvReads = 0;

  constructor(
    readonly index: number,
    isolates: number,
    cache: ReadCacheOptions,
    private readonly kv: KvModel,
    private readonly profileOf: ProfileOf,
  ) {
    this.isolates = Array.from({ length: isolates }, () => new ReadCache<Profile>(cache));
  }

  lookup(isolate: number, key: number, uid: string, now: number): Answer {
    const cache = this.isolates[isolate]!;
    const { outcome, value } = cache.peek(uid, now);
    if (outcome === "miss") return { version: this.load(cache, key, uid, now), outcome };
    // A stale entry is the answer; the refresh it starts only helps the next lookup.
    if (outcome === "stale") this.load(cache, key, uid, now);
    return { version: value?.ts ?? 0, outcome };
  }

  /** The object's reply after the user's own events: straight into the isolate that forwarded them. */
  writeThrough(isolate: number, key: number, uid: string, version: number, now: number): void {
    this.isolates[isolate]!.set(uid, this.profileOf(key, version), now);
  }

  private load(cache: ReadCache<Profile>, key: number, uid: string, now: number): number {
    this.kvReads++;
    const version = this.kv.read(key, this.index, now);
    cache.offer(uid, this.profileOf(key, version), now, now);
    return version;
  }
}
