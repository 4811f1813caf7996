/** The page segments a context earns under compiled rules: each id once, in rule order. */
import type { CompiledContextRules, ContextSegment } from "./compile";
import type { PageContext } from "./page-context";

export function contextSegments(rules: CompiledContextRules, c: PageContext): ContextSegment[] {
  const out: ContextSegment[] = [];
  const seen = new Set<string>();
  for (const r of rules.rules) {
    const key = `${r.segment.taxonomy ?? ""}:${r.segment.id}`;
    if (!seen.has(key) && r.matches(c)) {
      seen.add(key);
      out.push(r.segment);
    }
  }
  return out;
}
