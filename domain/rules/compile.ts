/** Validates a segment document (errors name the bad field) and compiles it for evaluation. */
import { isSpecialCategory } from "../context/content-taxonomy";
import { parseDuration } from "../duration";
import type { PropValue } from "../event-input";
import { SEGMENT_ID } from "../profile-record";
import type { CompiledRules, CompiledSegment, Condition, Leaf, Node, Rule, SegmentDocument } from "./types";

export class RuleError extends Error {
  override readonly name = "RuleError";
}

const MAX_SEGMENTS = 500;
const MAX_DEPTH = 8;
/** Windows are counted in this many buckets, so a boundary resolves to window / BUCKETS. */
export const BUCKETS_PER_WINDOW = 60;

function fail(path: string, message: string): never {
  throw new RuleError(`${path} ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is PropValue {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function matcher(cond: unknown, path: string): (v: PropValue | undefined) => boolean {
  if (isScalar(cond)) return (v) => v === cond;
  if (isObject(cond) && Object.keys(cond).length === 1) {
    if ("eq" in cond && isScalar(cond.eq)) return (v) => v === cond.eq;
    if ("in" in cond && Array.isArray(cond.in) && cond.in.length > 0 && cond.in.every(isScalar)) {
      const set = new Set<unknown>(cond.in);
      return (v) => set.has(v);
    }
    if ("prefix" in cond && typeof cond.prefix === "string" && cond.prefix !== "") {
      const prefix = cond.prefix;
      return (v) => typeof v === "string" && v.startsWith(prefix);
    }
  }
  fail(path, 'must be a value, {"eq":v}, {"in":[v,…]} or {"prefix":"…"}');
}

function compileRule(raw: unknown, path: string, depth: number, leaves: Map<string, Leaf>, refs: Set<string>): Node {
  if (depth > MAX_DEPTH) fail(path, `nests deeper than ${MAX_DEPTH}`);
  if (!isObject(raw)) fail(path, "must be an object");
  const keys = Object.keys(raw);
  if ("all" in raw || "any" in raw) {
    const kind = "all" in raw ? "all" : "any";
    const list = raw[kind];
    if (keys.length !== 1) fail(path, `must have only "${kind}"`);
    if (!Array.isArray(list) || list.length === 0) fail(`${path}.${kind}`, "must be a non-empty array");
    return { kind, of: list.map((r, i) => compileRule(r, `${path}.${kind}[${i}]`, depth + 1, leaves, refs)) };
  }
  if ("not" in raw) {
    if (keys.length !== 1) fail(path, 'must have only "not"');
    return { kind: "not", of: compileRule(raw.not, `${path}.not`, depth + 1, leaves, refs) };
  }
  if ("segment" in raw) {
    if (keys.length !== 1 || typeof raw.segment !== "string") fail(`${path}.segment`, "must be a segment id");
    refs.add(raw.segment);
    return { kind: "segment", id: raw.segment };
  }
  if ("event" in raw) {
    const r = raw as unknown as Record<keyof Required<Extract<Rule, { event: string }>>, unknown>;
    const extra = keys.filter((k) => !["event", "props", "min", "within"].includes(k));
    if (extra.length) fail(`${path}.${extra[0]}`, "is not a field of an event rule");
    if (typeof r.event !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/.test(r.event)) fail(`${path}.event`, "must be an event type");
    const windowMs = parseDuration(r.within);
    if (windowMs === undefined) fail(`${path}.within`, 'must be a duration like "30m" or "7d" (at most 400d)');
    const min = r.min ?? 1;
    if (typeof min !== "number" || !Number.isInteger(min) || min < 1 || min > 10_000) {
      fail(`${path}.min`, "must be an integer from 1 to 10000");
    }
    if (r.props !== undefined && !isObject(r.props)) fail(`${path}.props`, "must be an object");
    const conds = Object.entries((r.props ?? {}) as Record<string, Condition>).sort(([a], [b]) => (a < b ? -1 : 1));
    const props = conds.map(([k, c]): Leaf["props"][number] => [k, matcher(c, `${path}.props.${k}`)]);
    const bucketMs = Math.ceil(windowMs / BUCKETS_PER_WINDOW);
    const key = `${JSON.stringify([r.event, conds])}|${bucketMs}`;
    const known = leaves.get(key);
    const leaf = known ?? { key, type: r.event, props, bucketMs, windowMs };
    leaf.windowMs = Math.max(leaf.windowMs, windowMs);
    leaves.set(key, leaf);
    return { kind: "count", leaf, min, windowMs };
  }
  fail(path, 'must have "event", "all", "any", "not" or "segment"');
}

/** Orders segments so each comes after those its rule names; rejects cycles. */
function dependencyOrder(segs: (CompiledSegment & { refs: Set<string> })[]): CompiledSegment[] {
  const byId = new Map(segs.map((s) => [s.id, s]));
  const state = new Map<string, "visiting" | "done">();
  const out: CompiledSegment[] = [];
  const visit = (s: (typeof segs)[number], chain: string[]): void => {
    if (state.get(s.id) === "done") return;
    if (state.get(s.id) === "visiting") throw new RuleError(`segments form a cycle: ${[...chain, s.id].join(" -> ")}`);
    state.set(s.id, "visiting");
    for (const ref of s.refs) {
      // Ids without a rule here are batch segments: nothing to order them after.
      const dep = byId.get(ref);
      if (dep) visit(dep, [...chain, s.id]);
    }
    state.set(s.id, "done");
    out.push({ id: s.id, taxonomy: s.taxonomy, ttlMs: s.ttlMs, node: s.node });
  };
  for (const s of segs) visit(s, []);
  return out;
}

/** @throws RuleError naming the first bad field */
export function compileRules(doc: unknown): CompiledRules {
  if (!isObject(doc)) fail("document", "must be a JSON object");
  if (typeof doc.version !== "number" || !Number.isSafeInteger(doc.version) || doc.version < 1) {
    fail("version", "must be a positive integer");
  }
  if (!Array.isArray(doc.segments)) fail("segments", "must be an array");
  if (doc.segments.length > MAX_SEGMENTS) fail("segments", `has more than ${MAX_SEGMENTS} entries`);
  const leaves = new Map<string, Leaf>();
  const seen = new Set<string>();
  const compiled = doc.segments.map((raw: unknown, i: number) => {
    const path = `segments[${i}]`;
    if (!isObject(raw)) fail(path, "must be an object");
    if (typeof raw.id !== "string" || !SEGMENT_ID.test(raw.id)) fail(`${path}.id`, `must match ${SEGMENT_ID.source}`);
    if (seen.has(raw.id)) fail(`${path}.id`, `"${raw.id}" is defined twice`);
    seen.add(raw.id);
    if (typeof raw.name !== "string" || raw.name.length === 0 || raw.name.length > 200) {
      fail(`${path}.name`, "must be a string of 1 to 200 characters");
    }
    if (raw.taxonomy !== undefined && (!Number.isInteger(raw.taxonomy) || (raw.taxonomy as number) < 1)) {
      fail(`${path}.taxonomy`, "must be a positive integer (OpenRTB segtax)");
    }
    if (isSpecialCategory(raw.taxonomy as number | undefined, raw.id)) {
      fail(`${path}.id`, `"${raw.id}" is Special Category Data in Content Taxonomy 3.1: it may describe a page, never a user`);
    }
    const ttlMs = parseDuration(raw.ttl);
    if (ttlMs === undefined) fail(`${path}.ttl`, 'must be a duration like "30m" or "7d" (at most 400d)');
    const refs = new Set<string>();
    const node = compileRule(raw.rule, `${path}.rule`, 0, leaves, refs);
    return { id: raw.id, taxonomy: raw.taxonomy as number | undefined, ttlMs, node, refs };
  });
  return { version: doc.version, segments: dependencyOrder(compiled), leaves };
}

export type { SegmentDocument };
