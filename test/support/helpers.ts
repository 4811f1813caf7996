/** Drives the Worker's own handlers the way the runtime does, waiting for its background work. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import demoSegments from "../../demo/segments.json";
import worker from "../../worker/index";

export const BASE = "https://edge.test";
export const ADMIN = { Authorization: `Bearer ${env.ADMIN_TOKEN}` };
export const S2S = { Authorization: `Bearer ${env.API_KEYS.split(",")[0]}` };

/** Calls the Worker's fetch and waits for everything it handed to `waitUntil`. */
export async function call(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(BASE + path, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The `name=value` part of a Set-Cookie for `name`, ready to send back. */
export function cookieFrom(res: Response, name: string): string | undefined {
  for (const c of res.headers.getSetCookie()) if (c.startsWith(`${name}=`)) return c.split(";")[0];
  return undefined;
}

export async function putSegments(doc: unknown = demoSegments): Promise<Response> {
  return call("/v1/admin/segments", { method: "PUT", headers: ADMIN, body: JSON.stringify(doc) });
}

export function postEvents(cookie: string | undefined, events: unknown[], type = "application/json"): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": type };
  if (cookie) headers.Cookie = cookie;
  return call("/v1/events", { method: "POST", headers, body: JSON.stringify({ events }) });
}

export function view(id: string, props: Record<string, string>, ts = Date.now()) {
  return { id, type: "view", ts, props };
}

/** Calls the Worker's fetch with some bindings replaced, e.g. a KV namespace that fails. */
export async function callWith(overrides: Partial<Env>, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(BASE + path, init), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/**
 * The real PROFILES namespace with faults injected into reads, and profile reads counted (`u:` keys: an isolate also
 * reads its context rules every few seconds, on its own schedule).
 */
export function faultyKv(fault: { error?: boolean; delayMs?: number } = {}): KVNamespace & { reads: number } {
  const real = env.PROFILES;
  const kv = {
    reads: 0,
    async get(...args: unknown[]) {
      if (String(args[0]).startsWith("u:")) kv.reads++;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.error) throw new Error("injected KV failure");
      return (real.get as (...a: unknown[]) => Promise<unknown>).apply(real, args);
    },
  };
  return kv as unknown as KVNamespace & { reads: number };
}
