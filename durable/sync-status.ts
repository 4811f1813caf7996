/** What `GET /v1/admin/sync` shows: the coordinator's state as an operator reads it. */

export interface RunCounts {
  usersApplied: number;
  usersUnchanged: number;
  recordsRejected: number;
  failures: number;
}

export interface RunProgress extends RunCounts {
  version: number;
  kind: "full" | "delta";
  startedAt: number;
  parts: number;
  partsVerified: number;
  partsRejected: number;
  /** Slices planned so far (parts still being verified add theirs later). */
  slices: number;
  slicesDone: number;
  lastError: string | null;
}

export interface DeadLetter {
  version: number;
  step: "verify" | "apply";
  key: string;
  part: number;
  slice: number | null;
  records: number;
  at: number;
  error: string | null;
}

export interface RejectedPart {
  version: number;
  key: string;
  reason: string;
}

export interface SyncStatus {
  appliedVersion: number;
  inProgress: RunProgress | null;
  /** A newer version found while another runs; it starts when that one is done. */
  waitingVersion: number | null;
  /** Failed attempts of any step since the coordinator began (each retry counts). */
  failures: number;
  /** Steps that exhausted their retries; they hold their run open until `POST /v1/admin/sync` re-drives them. */
  deadLetters: DeadLetter[];
  rejectedParts: RejectedPart[];
  lastRun:
    | (RunCounts & {
        version: number;
        kind: "full" | "delta";
        startedAt: number;
        finishedAt: number;
        parts: number;
        slices: number;
        rejectedParts: RejectedPart[];
      })
    | null;
  lastCompletedAt: number | null;
  /** The last error: of the run in progress, or of the last attempt to start one (an invalid manifest). */
  lastError: string | null;
}

export type SyncOutcome = {
  version: number | null;
  outcome: "start" | "running" | "stale" | "no-manifest" | "invalid-manifest";
  parts: number;
  /** Dead steps put back to work by this call. */
  redriven?: number;
  waitingVersion?: number | null;
  error?: string;
};
