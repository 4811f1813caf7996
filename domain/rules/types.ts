/** Segment definitions: the document admins PUT, and the compiled form the user's object evaluates. */
import type { PropValue } from "../event-input";

export type Condition = PropValue | { eq: PropValue } | { in: PropValue[] } | { prefix: string };

/** An event rule counts matching events within a window; min 1 makes it a recency test. */
export interface EventRule {
  event: string;
  props?: Record<string, Condition>;
  min?: number;
  within: string;
}

export type Rule = EventRule | { all: Rule[] } | { any: Rule[] } | { not: Rule } | { segment: string };

export interface SegmentDefinition {
  id: string;
  taxonomy?: number;
  name: string;
  rule: Rule;
  ttl: string;
}

export interface SegmentDocument {
  version: number;
  segments: SegmentDefinition[];
}

/** A counted event pattern; `key` names its counters, so equal patterns share storage. */
export interface Leaf {
  key: string;
  type: string;
  props: [string, (v: PropValue | undefined) => boolean][];
  bucketMs: number;
  windowMs: number;
}

export type Node =
  | { kind: "count"; leaf: Leaf; min: number; windowMs: number }
  | { kind: "all" | "any"; of: Node[] }
  | { kind: "not"; of: Node }
  | { kind: "segment"; id: string };

export interface CompiledSegment {
  id: string;
  taxonomy?: number;
  ttlMs: number;
  node: Node;
}

export interface CompiledRules {
  version: number;
  /** Dependencies first, so segment-of-segment rules see this round's memberships. */
  segments: CompiledSegment[];
  leaves: Map<string, Leaf>;
}
