/** Validates a context rule document (errors name the bad field) and compiles it once into plain predicates. */
import { SEGMENT_ID } from "../profile-record";
import { DEVICE_CLASSES } from "./device-class";
import type { PageContext } from "./page-context";

export class ContextRuleError extends Error {
  override readonly name = "ContextRuleError";
}

/** A rule's output: a page segment id and its taxonomy (segtax; undefined = the publisher's own). */
export interface ContextSegment {
  id: string;
  taxonomy?: number;
}

export interface CompiledContextRule {
  segment: ContextSegment;
  matches: (c: PageContext) => boolean;
}

/** What of the request some rule reads: a lookup reads nothing else (the place and the device cost calls into the runtime). */
export interface ContextReads {
  location: boolean;
  device: boolean;
}

export interface CompiledContextRules {
  version: number;
  rules: CompiledContextRule[];
  reads: ContextReads;
}

export const NO_CONTEXT_RULES: CompiledContextRules = Object.freeze({
  version: 0,
  rules: [],
  reads: { location: false, device: false },
}) as CompiledContextRules;

const MAX_RULES = 500;
const MAX_VALUES = 100;
const MAX_TEXT = 100;
const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/;
const LANG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/;
const COUNTRY = /^[A-Z]{2}$/;
const REGION = /^[A-Z0-9]{1,3}$/;
const CONDITIONS = ["host", "pathPrefix", "query", "section", "keywords", "lang", "country", "region", "device"];

function fail(path: string, message: string): never {
  throw new ContextRuleError(`${path} ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A non-empty array of at most MAX_VALUES strings, each passing `ok`; `one` says what each must be. */
function strings(raw: unknown, path: string, ok: (s: string) => boolean, one: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_VALUES) fail(path, `must be an array of 1 to ${MAX_VALUES} values`);
  return raw.map((v, i) => {
    if (typeof v !== "string" || v.length === 0 || v.length > MAX_TEXT || !ok(v))
      fail(`${path}[${i}]`, `must be ${one} of at most ${MAX_TEXT} characters`);
    return v;
  });
}

const anyText = (s: string) => s.trim() === s;

/** Host rules: `news.example` is that host only; `*.news.example` is the host and every subdomain. */
function hostTest(hosts: string[]): (h: string) => boolean {
  const exact = new Set(hosts.filter((h) => !h.startsWith("*.")));
  const suffixes = hosts.filter((h) => h.startsWith("*.")).map((h) => h.slice(1));
  return (h) => exact.has(h) || suffixes.some((s) => h.endsWith(s) || h === s.slice(1));
}

function queryTest(raw: unknown, path: string): (c: PageContext) => boolean {
  if (!isObject(raw) || Object.keys(raw).length === 0) fail(path, 'must be an object of parameter names to true or ["value", …]');
  const tests = Object.entries(raw).map(([name, want]) => {
    if (name.length > MAX_TEXT) fail(path, `has a parameter name longer than ${MAX_TEXT} characters`);
    if (want === true) return (q: [string, string][]) => q.some(([k]) => k === name);
    const values = new Set(strings(want, `${path}.${name}`, () => true, "a string"));
    return (q: [string, string][]) => q.some(([k, v]) => k === name && values.has(v));
  });
  return (c) => c.url !== null && tests.every((t) => t(c.url!.query));
}

function compileWhen(raw: unknown, path: string, reads: ContextReads): (c: PageContext) => boolean {
  if (!isObject(raw)) fail(path, "must be an object");
  const keys = Object.keys(raw);
  if (keys.includes("country") || keys.includes("region")) reads.location = true;
  if (keys.includes("device")) reads.device = true;
  if (keys.length === 0) fail(path, `must have at least one of ${CONDITIONS.join(", ")}`);
  const tests: ((c: PageContext) => boolean)[] = [];
  for (const key of keys) {
    const p = `${path}.${key}`;
    const v = raw[key];
    switch (key) {
      case "host": {
        const test = hostTest(strings(v, p, (s) => HOST.test(s), "a host name such as news.example or *.news.example"));
        tests.push((c) => c.url !== null && test(c.url.host));
        break;
      }
      case "pathPrefix": {
        const prefixes = strings(v, p, (s) => s.startsWith("/"), "a path starting with /");
        tests.push((c) => c.url !== null && prefixes.some((pre) => c.url!.path.startsWith(pre)));
        break;
      }
      case "query":
        tests.push(queryTest(v, p));
        break;
      case "section": {
        const set = new Set(strings(v, p, anyText, "a string without surrounding spaces").map((s) => s.toLowerCase()));
        tests.push((c) => c.section !== undefined && set.has(c.section));
        break;
      }
      case "keywords": {
        const set = new Set(strings(v, p, anyText, "a string without surrounding spaces").map((s) => s.toLowerCase()));
        tests.push((c) => c.keywords.some((k) => set.has(k)));
        break;
      }
      case "lang": {
        // "en" holds for "en" and "en-gb"; "en-gb" only for "en-gb".
        const langs = strings(v, p, (s) => LANG.test(s), 'a lowercase language tag such as "en" or "en-gb"');
        tests.push((c) => c.lang !== undefined && langs.some((l) => c.lang === l || c.lang!.startsWith(`${l}-`)));
        break;
      }
      case "country": {
        const set = new Set(strings(v, p, (s) => COUNTRY.test(s), 'an ISO 3166-1 alpha-2 code such as "FR"'));
        tests.push((c) => c.country !== undefined && set.has(c.country));
        break;
      }
      case "region": {
        const set = new Set(strings(v, p, (s) => REGION.test(s), 'an ISO 3166-2 subdivision code such as "IDF"'));
        tests.push((c) => c.region !== undefined && set.has(c.region));
        break;
      }
      case "device": {
        const set = new Set(strings(v, p, (s) => (DEVICE_CLASSES as readonly string[]).includes(s), "mobile, tablet or desktop"));
        tests.push((c) => c.device !== undefined && set.has(c.device));
        break;
      }
      default:
        fail(p, `is not a condition; conditions are ${CONDITIONS.join(", ")}`);
    }
  }
  return (c) => tests.every((t) => t(c));
}

/**
 * Every condition of a rule must hold; within one condition, any of its values. A rule with no condition is refused:
 * it would put its category on every page.
 */
export function compileContextRules(doc: unknown): CompiledContextRules {
  if (!isObject(doc)) fail("document", "must be a JSON object");
  const { version, rules } = doc;
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1) fail("version", "must be a positive integer");
  if (!Array.isArray(rules)) fail("rules", "must be an array");
  if (rules.length > MAX_RULES) fail("rules", `has more than ${MAX_RULES} entries`);
  const reads: ContextReads = { location: false, device: false };
  const compiled = rules.map((r, i): CompiledContextRule => {
    const p = `rules[${i}]`;
    if (!isObject(r)) fail(p, "must be an object");
    for (const k of Object.keys(r))
      if (!["id", "taxonomy", "name", "when"].includes(k)) fail(`${p}.${k}`, "is not a field of a context rule (id, taxonomy, name, when)");
    if (typeof r.id !== "string" || !SEGMENT_ID.test(r.id)) fail(`${p}.id`, `must match ${SEGMENT_ID.source}`);
    if (r.taxonomy !== undefined && (typeof r.taxonomy !== "number" || !Number.isSafeInteger(r.taxonomy) || r.taxonomy < 1)) {
      fail(`${p}.taxonomy`, "must be a positive integer (OpenRTB segtax)");
    }
    if (typeof r.name !== "string" || r.name.length < 1 || r.name.length > 200)
      fail(`${p}.name`, "must be a string of 1 to 200 characters");
    const segment: ContextSegment = r.taxonomy === undefined ? { id: r.id } : { id: r.id, taxonomy: r.taxonomy as number };
    return { segment, matches: compileWhen(r.when, `${p}.when`, reads) };
  });
  return { version, rules: compiled, reads };
}
