/** Events as the edge takes them: checked one by one, packed into bodies within the contract's 50 events and 16 KiB. */

export const MAX_EVENTS = 50;
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_PROPS = 20;
const MAX_PROP_VALUE = 256;
// The edge's own patterns (domain/event-input.ts): it rejects a whole body for one bad event.
const TYPE = /^[a-z][a-z0-9_-]{0,31}$/;
const PROP_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;
/** Types the edge keeps for its own log lines. */
const RESERVED = ["optout", "erase"];
const HEAD = '{"events":[';
const TAIL = "]}";

export type Props = Record<string, unknown>;

export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

/**
 * One event as JSON text, or null when its type is not one the edge takes. Props are kept where
 * the edge would take them (at most 20 keys; strings cut to 256 characters); others are left out.
 */
export function encodeEvent(id: string, type: string, props: Props | undefined, ts: number): string | null {
  if (typeof type !== "string" || !TYPE.test(type) || RESERVED.includes(type)) return null;
  const kept: Record<string, string | number | boolean> = {};
  let n = 0;
  for (const k in props) {
    const v = props[k];
    if (n >= MAX_PROPS || !PROP_KEY.test(k)) continue;
    if (typeof v === "string") kept[k] = v.slice(0, MAX_PROP_VALUE);
    else if (typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) kept[k] = v;
    else continue;
    n++;
  }
  return JSON.stringify({ id, type, ts, props: kept });
}

/** Bodies `{"events":[…]}` of at most `maxEvents` events and `maxBytes` UTF-8 bytes each; an event too large alone is dropped. */
export function packBodies(events: string[], maxEvents = MAX_EVENTS, maxBytes = MAX_BODY_BYTES): string[] {
  const bodies: string[] = [];
  const empty = HEAD.length + TAIL.length;
  let chunk: string[] = [];
  let bytes = empty;
  const close = () => {
    if (chunk.length) bodies.push(HEAD + chunk.join(",") + TAIL);
    chunk = [];
    bytes = empty;
  };
  for (const e of events) {
    const size = utf8Bytes(e);
    if (empty + size > maxBytes) continue;
    // +1 for the comma before it (closing an empty chunk is harmless).
    if (chunk.length === maxEvents || bytes + 1 + size > maxBytes) close();
    bytes += (chunk.length ? 1 : 0) + size;
    chunk.push(e);
  }
  close();
  return bodies;
}
