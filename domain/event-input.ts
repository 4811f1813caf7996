/** Validation of incoming events (POST body and pixel query) into the shape the user's object applies. */
import { UdnError } from "./input-error";

export type PropValue = string | number | boolean;

export interface UdnEvent {
  id: string;
  type: string;
  /** Client time in ms; the object clamps it against its own clock. */
  ts: number;
  props: Record<string, PropValue>;
}

export const MAX_EVENTS = 50;
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_PROPS = 20;
const MAX_PROP_VALUE = 256;
const EVENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const EVENT_TYPE = /^[a-z][a-z0-9_-]{0,31}$/;
const PROP_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;
/** Event types the service reserves for its own log lines. */
/** Types the service writes to the event log itself: opt-outs, erasures, and a browser joining a person (a declared id). */
const RESERVED_TYPES = new Set(["optout", "erase", "link"]);

function bad(message: string): never {
  throw new UdnError(400, message);
}

function parseProps(raw: unknown, where: string): Record<string, PropValue> {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad(`${where}.props must be an object`);
  const entries = Object.entries(raw);
  if (entries.length > MAX_PROPS) bad(`${where}.props has more than ${MAX_PROPS} keys`);
  const props: Record<string, PropValue> = {};
  for (const [k, v] of entries) {
    if (!PROP_KEY.test(k)) bad(`${where}.props key "${k.slice(0, 40)}" must match ${PROP_KEY.source}`);
    if (typeof v === "string") {
      if (v.length > MAX_PROP_VALUE) bad(`${where}.props.${k} is longer than ${MAX_PROP_VALUE} characters`);
    } else if (!(typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)))) {
      bad(`${where}.props.${k} must be a string, a finite number or a boolean`);
    }
    props[k] = v as PropValue;
  }
  return props;
}

/** @param now used when an event carries no `ts` */
export function parseEvent(raw: unknown, where: string, now: number): UdnEvent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad(`${where} must be an object`);
  const e = raw as Record<string, unknown>;
  if (typeof e.id !== "string" || !EVENT_ID.test(e.id)) bad(`${where}.id must be a string matching ${EVENT_ID.source}`);
  if (typeof e.type !== "string" || !EVENT_TYPE.test(e.type)) {
    bad(`${where}.type must be a string matching ${EVENT_TYPE.source}`);
  }
  if (RESERVED_TYPES.has(e.type)) bad(`${where}.type "${e.type}" is reserved`);
  let ts = now;
  if (e.ts !== undefined) {
    if (typeof e.ts !== "number" || !Number.isSafeInteger(e.ts) || e.ts <= 0) bad(`${where}.ts must be a positive integer of milliseconds`);
    ts = e.ts;
  }
  return { id: e.id, type: e.type, ts, props: parseProps(e.props, where) };
}

/** Parses `{"events":[…]}` text (JSON or a text/plain beacon). */
export function parseEventBody(text: string, now: number): UdnEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    bad("body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || !Array.isArray((body as { events?: unknown }).events)) {
    bad('body must be {"events":[…]}');
  }
  const events = (body as { events: unknown[] }).events;
  if (events.length === 0) bad("events is empty");
  if (events.length > MAX_EVENTS) throw new UdnError(413, `events has ${events.length} entries; at most ${MAX_EVENTS}`);
  return events.map((e, i) => parseEvent(e, `events[${i}]`, now));
}

/** The pixel's query: `type`, `id`, `ts`, and every other key as a string prop. */
export function parsePixelQuery(query: URLSearchParams, now: number, reserved: ReadonlySet<string>): UdnEvent {
  const props: Record<string, string> = {};
  let ts: number | undefined;
  for (const [k, v] of query) {
    if (k === "type" || k === "id" || reserved.has(k)) continue;
    if (k === "ts") ts = Number(v);
    else props[k] = v;
  }
  return parseEvent({ id: query.get("id") ?? undefined, type: query.get("type") ?? undefined, ts, props }, "pixel", now);
}
