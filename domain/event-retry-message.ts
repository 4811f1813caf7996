/** A message of the event-retry queue: work the edge could not finish with a user's object at once, finished with backoff. */
import type { EventLogGroup, LogSignals } from "./event-log-format";

/** An opt-out or erasure: the object erases the user, then the event log records it. */
export interface PrivacyAction {
  kind: "optout" | "erase";
  uid: string;
  received: number;
  signals: LogSignals;
}

/**
 * Events the object could not take at once: applied later, and logged only if the object accepts them.
 * `provisional`: the request minted the id, so the object keeps it only briefly unless it comes back.
 */
export interface RetriedEvents {
  kind: "events";
  group: EventLogGroup;
  provisional: boolean;
}

/** Groups already accepted by their objects whose send to the event log failed: sent again from here, never dropped. */
export interface UnloggedGroups {
  kind: "log";
  groups: EventLogGroup[];
}

export type EventRetryMessage = PrivacyAction | RetriedEvents | UnloggedGroups;

/** Messages written before actions and the log joined this queue carried only `{uid, events}`: still delivered. */
export function retryMessage(body: unknown, now: number): EventRetryMessage {
  const b = body as Partial<EventRetryMessage> & { uid?: string; events?: EventLogGroup["events"] };
  if (b.kind) return b as EventRetryMessage;
  return { kind: "events", group: { uid: b.uid ?? "", received: now, signals: {}, events: b.events ?? [] }, provisional: false };
}

/** The event-log group recording an opt-out or erasure: one line the batch engine drops the user by. */
export function privacyGroup(a: PrivacyAction): EventLogGroup {
  const ts = a.received;
  return { uid: a.uid, received: ts, signals: a.signals, events: [{ id: `${a.kind}-${ts}`, type: a.kind, ts, props: {} }] };
}
