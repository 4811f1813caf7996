/** Central store of the context rules (in KV), compiled once per version and kept in the isolate for a short while. */
import { type CompiledContextRules, compileContextRules, NO_CONTEXT_RULES } from "../domain/context/compile";
import { CONFIG_REFRESH_MS } from "./segment-store";

const CONTEXT_KEY = "cfg:context";

let cached: { rules: CompiledContextRules; doc: string | null; at: number } | undefined;
let loading: Promise<CompiledContextRules> | undefined;

export async function loadContextDocument(kv: KVNamespace): Promise<string | null> {
  return kv.get(CONTEXT_KEY);
}

async function refresh(kv: KVNamespace, now: number): Promise<CompiledContextRules> {
  let doc: string | null;
  try {
    doc = await loadContextDocument(kv);
  } catch {
    // KV failing must not fail lookups: the page segments wait for the next refresh, the user's are answered.
    cached = { rules: cached?.rules ?? NO_CONTEXT_RULES, doc: cached?.doc ?? null, at: now };
    return cached.rules;
  }
  let rules = NO_CONTEXT_RULES;
  if (doc !== null) {
    try {
      rules = cached?.doc === doc ? cached.rules : compileContextRules(JSON.parse(doc));
    } catch {
      // A stored document that no longer compiles keeps the last good rules rather than failing lookups.
      rules = cached?.rules ?? NO_CONTEXT_RULES;
    }
  }
  cached = { rules, doc, at: now };
  return rules;
}

/**
 * The current rules without an await whenever this isolate holds some (the hot path needs that): past their
 * refresh time they are still answered while one shared KV read replaces them in the background. Only an isolate's
 * first lookup waits for KV.
 */
export function contextRules(
  kv: KVNamespace,
  ctx: Pick<ExecutionContext, "waitUntil">,
  now = Date.now(),
): CompiledContextRules | Promise<CompiledContextRules> {
  if (cached && now - cached.at < CONFIG_REFRESH_MS) return cached.rules;
  if (!loading) {
    loading = refresh(kv, now).finally(() => {
      loading = undefined;
    });
    if (cached) ctx.waitUntil(loading.catch(() => undefined));
  }
  return cached ? cached.rules : loading;
}

/** Stores a validated document and makes its rules this isolate's at once; the caller has compiled them already. */
export async function saveContextDocument(kv: KVNamespace, doc: string, rules: CompiledContextRules): Promise<void> {
  await kv.put(CONTEXT_KEY, doc);
  cached = { rules, doc, at: Date.now() };
}

/** Forgets the compiled rules (tests and resetIsolate). */
export function forgetContextRules(): void {
  cached = undefined;
}
