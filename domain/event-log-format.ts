/** The raw event log's format (contract: "Raw event log"): queue messages in, NDJSON lines and object keys out. */
import type { ConsentSignals } from "./consent/signals";
import type { PropValue } from "./event-input";

/** The consent signals as the log carries them: the request's own parameter names, `gpc` only when sent. */
export interface LogSignals {
  gdpr?: string;
  gdpr_consent?: string;
  gpp?: string;
  gpp_sid?: string;
  us_privacy?: string;
  gpc?: true;
}

/** Longer values are not consent strings the batch engine could use; they are left out rather than cut. */
const MAX_SIGNAL_CHARS = 4096;

export function logSignals(s: ConsentSignals): LogSignals {
  const out: LogSignals = {};
  const put = (k: Exclude<keyof LogSignals, "gpc">, v: string | undefined) => {
    if (v !== undefined && v.length <= MAX_SIGNAL_CHARS) out[k] = v;
  };
  put("gdpr", s.gdpr);
  put("gdpr_consent", s.gdprConsent);
  put("gpp", s.gpp);
  put("gpp_sid", s.gppSid);
  put("us_privacy", s.usPrivacy);
  if (s.gpc) out.gpc = true;
  return out;
}

export interface LoggedEvent {
  id: string;
  type: string;
  ts: number;
  props: Record<string, PropValue>;
}

/** One request's accepted events, or one opt-out or erasure, with what they arrived with. */
export interface EventLogGroup {
  uid: string;
  received: number;
  signals: LogSignals;
  events: LoggedEvent[];
}

/** What the edge sends to the event-log queue: the groups one isolate collected in a short window. */
export interface EventLogMessage {
  groups: EventLogGroup[];
}

export interface LogLine {
  received: number;
  text: string;
}

/** Lines in the order they were received; within one request, in the order the tag sent them. */
export function logLines(messages: EventLogMessage[]): LogLine[] {
  const lines: (LogLine & { seq: number })[] = [];
  for (const m of messages) {
    for (const g of m.groups) {
      for (const e of g.events) {
        const text = JSON.stringify({ uid: g.uid, id: e.id, type: e.type, ts: e.ts, props: e.props, received: g.received, ...g.signals });
        lines.push({ received: g.received, text, seq: lines.length });
      }
    }
  }
  return lines.sort((a, b) => a.received - b.received || a.seq - b.seq);
}

/** `events/dt=YYYY-MM-DD/hr=HH/` of a receive time (UTC): the partitions Spark, DuckDB or Hive read. */
export function partitionOf(received: number): string {
  const iso = new Date(received).toISOString();
  return `events/dt=${iso.slice(0, 10)}/hr=${iso.slice(11, 13)}/`;
}

/**
 * An object's key: its partition, its first receive time (so keys sort by time) and a digest of the
 * queue messages it holds, so a batch delivered again writes over its own object instead of beside it.
 */
export function objectKey(partition: string, firstReceived: number, batchDigest: string): string {
  return `${partition}${String(firstReceived).padStart(13, "0")}-${batchDigest}.ndjson.gz`;
}
