/** What a user's object keeps, besides its remembered event ids: one value, stored as one SQLite row of JSON. */
import type { PartnerLink } from "../domain/identity/eids";
import type { MembershipState } from "../domain/merge";
import type { Profile, SegmentRef } from "../domain/profile-record";
import type { Counters } from "../domain/rules/evaluate";

export interface ProfileState {
  uid: string;
  /** When the user was erased (0 = never): until the retention window passes, nothing brings them back. */
  erasedAt: number;
  /** The last event or applied batch record (0 = none yet): the retention runs from here. */
  lastActive: number;
  /** Created by a cookie-less request whose id has not come back yet: kept only briefly. */
  provisional: boolean;
  batchVersion: number;
  memberships: MembershipState;
  counters: Counters;
  /** The merged profile, as it is or will shortly be in KV. */
  profile: Profile;
  /** The record KV holds for this user ("" = none; "?" = unknown after a failed write). */
  published: string;
  publishedAt: number;
  /** Failed KV writes in a row, for the publish backoff. */
  publishFailures: number;
  /** Partners' ids matched to the user, newest first (each has a KV alias pointing here). */
  partners: PartnerLink[];
  /** A person's profile: browsers that declared one of `declared` joined it. */
  person: boolean;
  /** The declared ids (their objects' names) whose person this is: erased with it. */
  declared: string[];
  /** Browsers' uids merged into this person, newest last: each is merged once, and erased with it. */
  linked: string[];
  /** This browser's profile was merged into that person's ("" = not merged): calls go there now. */
  mergedInto: string;
  /** The person confirmed it took this profile; until then the state is kept, and the merge is retried. */
  absorbed: boolean;
}

export function emptyState(): ProfileState {
  return {
    uid: "",
    erasedAt: 0,
    lastActive: 0,
    provisional: false,
    batchVersion: 0,
    memberships: { realtime: new Map(), batch: { segments: [], expires: 0 } },
    counters: new Map(),
    profile: { ts: 0, segments: [] },
    published: "",
    publishedAt: 0,
    publishFailures: 0,
    partners: [],
    person: false,
    declared: [],
    linked: [],
    mergedInto: "",
    absorbed: false,
  };
}

/** The stored form: maps as entry lists, so JSON keeps them. */
interface Stored extends Omit<ProfileState, "memberships" | "counters"> {
  realtime: [string, { until: number; taxonomy?: number }][];
  batch: { segments: SegmentRef[]; expires: number };
  counters: [string, [number, number][]][];
}

export function encodeState(s: ProfileState): string {
  const { memberships, counters, ...rest } = s;
  const stored: Stored = {
    ...rest,
    realtime: [...memberships.realtime],
    batch: memberships.batch,
    counters: [...counters].map(([k, cells]) => [k, [...cells]]),
  };
  return JSON.stringify(stored);
}

export function decodeState(text: string): ProfileState {
  const { realtime, batch, counters, ...rest } = JSON.parse(text) as Stored;
  return {
    ...emptyState(),
    ...rest,
    memberships: { realtime: new Map(realtime), batch },
    counters: new Map(counters.map(([k, cells]) => [k, new Map(cells)])),
  };
}
