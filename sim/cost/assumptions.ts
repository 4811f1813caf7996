/** The inputs no test or benchmark here can measure, each with the range we find plausible, to show how far each could move the bill. */
import type { CostInputs } from "./inputs";

/** A numeric input of the model. */
export type NumericInput = { [K in keyof CostInputs]: CostInputs[K] extends number ? K : never }[keyof CostInputs];

export interface Assumption {
  input: NumericInput;
  /** "traffic": a property of the world; "bench mix": measured, but in a mix that does not stand for production's traffic. */
  kind: "traffic" | "bench mix";
  low: number;
  high: number;
  /** Why this range. */
  why: string;
}

export const ASSUMPTIONS: Assumption[] = [
  {
    input: "isolateHitRatio",
    kind: "bench mix",
    low: 0.2,
    high: 0.9,
    why: "lookups of one user per isolate within 15 s: set by production's spread of users over isolates",
  },
  {
    input: "kvShareOfIsolateMisses",
    kind: "bench mix",
    low: 0.2,
    high: 1,
    why: "lookups of one user per location within 30 s: auctions' fan-out and sessions raise it",
  },
  { input: "s2sBatchedShare", kind: "traffic", low: 0, high: 1, why: "how many bidders follow the contract's batch path" },
  { input: "s2sShare", kind: "traffic", low: 0.3, high: 0.7, why: "bidders' share of lookups" },
  { input: "pageMapReadsPerLookup", kind: "traffic", low: 0.001, high: 0.1, why: "distinct pages per isolate in 5 minutes" },
  { input: "partnerLookupShare", kind: "traffic", low: 0, high: 0.5, why: "bidders asking by a partner's id" },
  { input: "matchesPerDay", kind: "traffic", low: 0.5e9, high: 5e9, why: "partners' sync pixels per active user" },
  { input: "newMatchShare", kind: "traffic", low: 0.02, high: 0.3, why: "syncs that bring an id not seen within a day" },
  { input: "identifiesPerDay", kind: "traffic", low: 10e6, high: 200e6, why: "sign-ins on publishers declaring ids" },
  { input: "eventsPerRequest", kind: "traffic", low: 1, high: 10, why: "events a page's beacon carries" },
  {
    input: "cpuMsPerEventRequest",
    kind: "traffic",
    low: 0.1,
    high: 1,
    why: "the accept path is benched (0.08–0.14 ms); what runs after the object's answer is not",
  },
  { input: "coldLoadShare", kind: "traffic", low: 0.1, high: 1, why: "calls finding the object evicted" },
  { input: "coldLoadRows", kind: "traffic", low: 5, high: 40, why: "days of remembered ids an evicted object reads back" },
  { input: "profileChangeShare", kind: "traffic", low: 0.01, high: 0.5, why: "event calls that change a membership" },
  { input: "doWallMsPerCall", kind: "traffic", low: 1, high: 30, why: "an object call's wall time" },
  { input: "kvPutMs", kind: "traffic", low: 10, high: 300, why: "a publish's wait for KV" },
  { input: "activeUsersPerDay", kind: "traffic", low: 250e6, high: 1e9, why: "users with events in a day" },
  { input: "alarmsPerActiveUserPerDay", kind: "traffic", low: 0.2, high: 3, why: "lapses, deferred publishes, early re-arms" },
  { input: "lapsesPerActiveUserPerDay", kind: "traffic", low: 0.01, high: 0.5, why: "memberships ending by time" },
  { input: "eventRetryShare", kind: "traffic", low: 0, high: 0.05, why: "event calls the object could not take at once" },
  { input: "batchUsersPerDay", kind: "traffic", low: 10e6, high: 400e6, why: "batch records a day" },
  { input: "batchChangedShare", kind: "traffic", low: 0.05, high: 1, why: "batch records that change segments" },
  { input: "usersWithRecord", kind: "traffic", low: 100e6, high: 1e9, why: "users with a live segment" },
  { input: "usersWithObject", kind: "traffic", low: 500e6, high: 3e9, why: "users seen within the retention" },
  { input: "logBytesPerEvent", kind: "traffic", low: 30, high: 200, why: "an event's gzip bytes in the log" },
  { input: "logRetentionDays", kind: "traffic", low: 30, high: 400, why: "how long the data team keeps the log" },
];
