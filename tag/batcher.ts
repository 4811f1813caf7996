/** Collects tracked events for a short window and sends them as few bodies as the contract allows, spaced to stay under the edge's rate limits. */
import { MAX_EVENTS, packBodies } from "./event-batch";

/** How long a first event waits for others to join it. */
export const WINDOW_MS = 200;
/** Least time between timed sends: at most ~17 requests per 10 s, under the edge's 20 per browser. */
export const GAP_MS = 600;
/** Events held while consent is pending or sends are spaced; later ones are dropped. */
export const MAX_PENDING = 5 * MAX_EVENTS;

export interface BatcherOptions {
  /** true = send now, null = hold (consent pending), false = drop what is held (no consent, opted out). */
  canSend(): boolean | null;
  send(body: string): void;
  setTimer(fn: () => void, ms: number): void;
  now(): number;
}

export interface Batcher {
  add(event: string): boolean;
  /** Sends everything held now (page hidden, a lookup about to be made). */
  flush(): void;
  /** Arms the timer if events are held (e.g. consent just arrived). */
  schedule(): void;
}

export function createBatcher(o: BatcherOptions): Batcher {
  let pending: string[] = [];
  let armed = false;
  let last = -Infinity;

  const flush = () => {
    const can = o.canSend();
    if (can === null || !pending.length) return;
    const bodies = can ? packBodies(pending) : [];
    pending = [];
    if (bodies.length) last = o.now();
    for (const b of bodies) o.send(b);
  };
  const schedule = () => {
    if (armed || !pending.length) return;
    armed = true;
    o.setTimer(
      () => {
        armed = false;
        flush();
      },
      Math.max(WINDOW_MS, last + GAP_MS - o.now()),
    );
  };

  return {
    add(event) {
      if (pending.length >= MAX_PENDING) return false;
      pending.push(event);
      schedule();
      return true;
    },
    flush,
    schedule,
  };
}
