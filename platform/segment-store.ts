/** Central store of the segment definitions (in KV), with a short per-isolate cache of the compiled form. */
import { compileRules } from "../domain/rules/compile";
import type { CompiledRules } from "../domain/rules/types";

const CONFIG_KEY = "cfg:segments";
/** How soon an object sees a new version: the isolate cache's lifetime (KV's own cacheTtl is not used). */
export const CONFIG_REFRESH_MS = 10_000;

const NO_RULES: CompiledRules = { version: 0, segments: [], leaves: new Map() };
let cached: { rules: CompiledRules; doc: string | null; at: number } | undefined;

export async function loadSegmentDocument(kv: KVNamespace): Promise<string | null> {
  return kv.get(CONFIG_KEY);
}

/** The current rules; a stored document that no longer compiles is ignored rather than breaking every event. */
export async function loadRules(kv: KVNamespace, now = Date.now()): Promise<CompiledRules> {
  if (cached && now - cached.at < CONFIG_REFRESH_MS) return cached.rules;
  const doc = await loadSegmentDocument(kv);
  let rules = NO_RULES;
  if (doc !== null) {
    try {
      rules = cached?.doc === doc ? cached.rules : compileRules(JSON.parse(doc));
    } catch {
      rules = cached?.rules ?? NO_RULES;
    }
  }
  cached = { rules, doc, at: now };
  return rules;
}

/** Stores a validated document; the caller has compiled it already. */
export async function saveSegmentDocument(kv: KVNamespace, doc: string): Promise<void> {
  await kv.put(CONFIG_KEY, doc);
  cached = undefined;
}
