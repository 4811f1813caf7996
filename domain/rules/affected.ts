/** Which segments' rules read the membership of given segments, directly or through other segments. */
import type { CompiledRules, Node } from "./types";

function references(node: Node, out: Set<string>): Set<string> {
  switch (node.kind) {
    case "segment":
      out.add(node.id);
      break;
    case "all":
    case "any":
      for (const n of node.of) references(n, out);
      break;
    case "not":
      references(node.of, out);
      break;
    case "count":
      break;
  }
  return out;
}

/**
 * @param changed segment ids whose membership changed (a batch arrived or lapsed, a membership fell due)
 * @returns ids of the segments whose rule may now give another answer because of it
 */
export function affectedBy(rules: CompiledRules, changed: ReadonlySet<string>): Set<string> {
  const hit = new Set<string>();
  if (changed.size === 0) return hit;
  // Dependencies come first, so one pass also reaches segments of segments of segments.
  for (const seg of rules.segments) {
    for (const id of references(seg.node, new Set())) {
      if (changed.has(id) || hit.has(id)) {
        hit.add(seg.id);
        break;
      }
    }
  }
  return hit;
}
