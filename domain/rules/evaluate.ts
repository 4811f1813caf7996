/** Pure rule evaluation over time-bucketed counters: what the user's object runs on every event. */
import type { UdnEvent } from "../event-input";
import type { CompiledRules, Leaf, Node } from "./types";

/** Counters per leaf key: bucket index (ts / bucketMs) -> events counted in it. */
export type Counters = Map<string, Map<number, number>>;

/** A counter cell that changed, for the caller to persist. */
export interface CounterWrite {
  key: string;
  bucket: number;
  n: number;
}

export function matchesLeaf(leaf: Leaf, event: Pick<UdnEvent, "type" | "props">): boolean {
  if (leaf.type !== event.type) return false;
  for (const [k, test] of leaf.props) if (!test(event.props[k])) return false;
  return true;
}

/** First bucket still inside a window ending now; the partly covered edge bucket counts whole. */
export function firstLiveBucket(bucketMs: number, windowMs: number, now: number): number {
  return Math.floor((now - windowMs) / bucketMs);
}

/**
 * Counts one event into every leaf it matches. Events older than a leaf's window add nothing.
 * @returns the cells written
 */
export function countEvent(rules: CompiledRules, counters: Counters, event: UdnEvent, now: number): CounterWrite[] {
  const writes: CounterWrite[] = [];
  for (const leaf of rules.leaves.values()) {
    const bucket = Math.floor(event.ts / leaf.bucketMs);
    if (bucket < firstLiveBucket(leaf.bucketMs, leaf.windowMs, now) || !matchesLeaf(leaf, event)) continue;
    let cells = counters.get(leaf.key);
    if (!cells) counters.set(leaf.key, (cells = new Map()));
    const n = (cells.get(bucket) ?? 0) + 1;
    cells.set(bucket, n);
    writes.push({ key: leaf.key, bucket, n });
  }
  return writes;
}

export function countWithin(counters: Counters, leaf: Leaf, windowMs: number, now: number): number {
  const cells = counters.get(leaf.key);
  if (!cells) return 0;
  const from = firstLiveBucket(leaf.bucketMs, windowMs, now);
  let n = 0;
  for (const [bucket, c] of cells) if (bucket >= from) n += c;
  return n;
}

function holds(node: Node, counters: Counters, now: number, isMember: (id: string) => boolean): boolean {
  switch (node.kind) {
    case "count":
      return countWithin(counters, node.leaf, node.windowMs, now) >= node.min;
    case "all":
      return node.of.every((n) => holds(n, counters, now, isMember));
    case "any":
      return node.of.some((n) => holds(n, counters, now, isMember));
    case "not":
      return !holds(node.of, counters, now, isMember);
    case "segment":
      return isMember(node.id);
  }
}

/**
 * Evaluates every segment in dependency order.
 * @param isMember membership before this round (live real-time or batch)
 * @param inScope the segments this round may (re)qualify; the others keep the membership they have
 * @returns ids of the in-scope segments whose rule holds now
 */
export function qualifyingSegments(
  rules: CompiledRules,
  counters: Counters,
  now: number,
  isMember: (id: string) => boolean,
  inScope: (id: string) => boolean = () => true,
): Set<string> {
  const qualified = new Set<string>();
  const member = (id: string) => qualified.has(id) || isMember(id);
  for (const seg of rules.segments) if (inScope(seg.id) && holds(seg.node, counters, now, member)) qualified.add(seg.id);
  return qualified;
}

/**
 * Drops counter cells no rule can count any more: outside every window, or of leaves the rules no longer have.
 * @returns the dropped cells, for the caller to delete from storage
 */
export function pruneCounters(rules: CompiledRules, counters: Counters, now: number): { key: string; before?: number }[] {
  const dropped: { key: string; before?: number }[] = [];
  for (const [key, cells] of counters) {
    const leaf = rules.leaves.get(key);
    if (!leaf) {
      counters.delete(key);
      dropped.push({ key });
      continue;
    }
    const from = firstLiveBucket(leaf.bucketMs, leaf.windowMs, now);
    let any = false;
    for (const bucket of cells.keys()) {
      if (bucket < from) {
        cells.delete(bucket);
        any = true;
      }
    }
    if (any) dropped.push({ key, before: from });
  }
  return dropped;
}
