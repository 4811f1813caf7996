/** An operator document in KV (context rules, partners), compiled once per version and kept in the isolate for a short while. */
import { CONFIG_REFRESH_MS } from "./segment-store";

export interface ConfigDocument<T> {
  /** The stored document's text (null: none). */
  load(kv: KVNamespace): Promise<string | null>;
  /**
   * The compiled document without an await whenever this isolate holds one (the hot path needs that): past its
   * refresh time it is still answered while one shared KV read replaces it in the background. Only an isolate's
   * first use waits for KV.
   */
  current(kv: KVNamespace, ctx: Pick<ExecutionContext, "waitUntil">, now?: number): T | Promise<T>;
  /** Stores a validated document and makes it this isolate's at once; the caller has compiled it already. */
  save(kv: KVNamespace, doc: string, compiled: T): Promise<void>;
  /** Forgets the compiled document (tests). */
  forget(): void;
}

/**
 * @param compile throws on a document that does not compile: a stored one that no longer does keeps the last good
 *   one rather than failing requests
 * @param none what holds before any document is stored
 */
export function configDocument<T>(key: string, compile: (doc: unknown) => T, none: T): ConfigDocument<T> {
  let cached: { compiled: T; doc: string | null; at: number } | undefined;
  let loading: Promise<T> | undefined;
  const load = (kv: KVNamespace) => kv.get(key);

  async function refresh(kv: KVNamespace, now: number): Promise<T> {
    let doc: string | null;
    try {
      doc = await load(kv);
    } catch {
      // KV failing must not fail requests: the document waits for the next refresh.
      cached = { compiled: cached?.compiled ?? none, doc: cached?.doc ?? null, at: now };
      return cached.compiled;
    }
    let compiled = none;
    if (doc !== null) {
      try {
        compiled = cached?.doc === doc ? cached.compiled : compile(JSON.parse(doc));
      } catch {
        compiled = cached?.compiled ?? none;
      }
    }
    cached = { compiled, doc, at: now };
    return compiled;
  }

  return {
    load,
    current(kv, ctx, now = Date.now()) {
      if (cached && now - cached.at < CONFIG_REFRESH_MS) return cached.compiled;
      if (!loading) {
        loading = refresh(kv, now).finally(() => {
          loading = undefined;
        });
        if (cached) ctx.waitUntil(loading.catch(() => undefined));
      }
      return cached ? cached.compiled : loading;
    },
    async save(kv, doc, compiled) {
      await kv.put(key, doc);
      cached = { compiled, doc, at: Date.now() };
    },
    forget() {
      cached = undefined;
    },
  };
}
