/** Partner ids to our uids: the KV aliases a cookie sync wrote, through the isolate's cache like profiles. */
import { aliasKey } from "../../domain/identity/partners";
import { aliasCache, clock, counters } from "../isolate";
import { KV_CACHE_TTL_S, type WaitUntil } from "./profile-lookup";

function load(env: Env, ctx: WaitUntil, key: string): Promise<string | null> {
  const p = aliasCache.load(
    key,
    () => {
      counters.kvReads++;
      return env.PROFILES.get(key, { cacheTtl: KV_CACHE_TTL_S });
    },
    () => clock.now(),
  );
  ctx.waitUntil(p.catch(() => {}));
  return p;
}

/** The uid a partner's id was matched to, or null; a cached answer costs no read (a stale one refreshes behind). */
export function aliasUid(env: Env, ctx: WaitUntil, partner: string, puid: string): string | null | Promise<string | null> {
  const key = aliasKey(partner, puid);
  const { outcome, value } = aliasCache.peek(key, clock.now());
  if (outcome === "miss") return load(env, ctx, key);
  if (outcome === "stale" && !aliasCache.isLoading(key)) void load(env, ctx, key);
  return value;
}

/** Many partner ids: the isolate's cache first, then one KV multi-key read (≤ 100 keys) for the rest. */
export async function aliasUids(env: Env, partner: string, puids: readonly string[]): Promise<Map<string, string | null>> {
  const uids = new Map<string, string | null>();
  const missing: string[] = [];
  const now = clock.now();
  for (const puid of puids) {
    const { outcome, value } = aliasCache.peek(aliasKey(partner, puid), now);
    if (outcome === "miss") missing.push(puid);
    else uids.set(puid, value);
  }
  if (!missing.length) return uids;
  counters.kvReads += missing.length;
  const read = await env.PROFILES.get(
    missing.map((puid) => aliasKey(partner, puid)),
    { type: "text", cacheTtl: KV_CACHE_TTL_S },
  );
  for (const puid of missing) {
    const uid = read.get(aliasKey(partner, puid)) ?? null;
    aliasCache.offer(aliasKey(partner, puid), uid, now, clock.now());
    uids.set(puid, uid);
  }
  return uids;
}
