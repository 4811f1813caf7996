/** A browser without a cookie costs nothing it does not need: no KV read, no cache entry, and storage that goes unless the id comes back. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PROVISIONAL_RETENTION_S } from "../../durable/retention";
import type { UserProfile } from "../../durable/user-profile";
import { ipKeys } from "../../worker/events/rate-limit";
import { signUid } from "../../worker/identity/signed-ids";
import { profileCache } from "../../worker/isolate";
import { callWith, cookieFrom, putSegments, view } from "../support/helpers";
import { objectStorage } from "../support/object-storage";

const RETENTION_MS = Number(env.RETENTION_SECONDS) * 1000;
const FLOOD = 40;

/** The uid inside a `udn_id=<uid>.<signature>` cookie. */
const uidOf = (cookie: string) => cookie.slice("udn_id=".length).split(".")[0]!;

async function storage(uid: string): Promise<{ rows: number; alarm: number | null }> {
  const { rows, alarm } = await objectStorage(env.USER_PROFILE.getByName(uid));
  return { rows, alarm };
}

/** When the user's KV record expires (ms). */
async function expiresAt(uid: string): Promise<number> {
  const [key] = (await env.PROFILES.list({ prefix: `u:${uid}` })).keys;
  return (key?.expiration ?? 0) * 1000;
}

/** The real PROFILES namespace, every operation counted. */
function countedKv(): KVNamespace & { ops: number } {
  const kv = { ops: 0 } as KVNamespace & { ops: number };
  for (const m of ["get", "getWithMetadata", "put", "delete", "list"] as const) {
    (kv as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
      // Configuration documents (cfg:*) are read once per isolate every few seconds, whatever the traffic.
      if (!String(args[0]).startsWith("cfg:")) kv.ops++;
      return (env.PROFILES[m] as (...a: unknown[]) => unknown).apply(env.PROFILES, args);
    };
  }
  return kv;
}

describe("a browser without a cookie", { timeout: 30_000 }, () => {
  it("gets its answer and a new id without a KV read or a cache entry, however many come", async () => {
    const kv = countedKv();
    const entries = profileCache.snapshot().entries;
    for (let i = 0; i < FLOOD; i++) {
      const res = await callWith({ PROFILES: kv }, "/v1/segments?format=ortb2");
      expect(res.status).toBe(200);
      expect(res.headers.get("Server-Timing")).toBe("cache;desc=new");
      expect(await res.json()).toEqual({ user: { data: [] } });
      expect(cookieFrom(res, "udn_id")).toMatch(/^udn_id=[A-Za-z0-9_-]{22}\./);
    }
    expect(kv.ops).toBe(0);
    expect(profileCache.snapshot().entries).toBe(entries);
  });

  it("leaves objects that delete themselves an hour later, unless the id comes back", async () => {
    await putSegments();
    const kv = countedKv();
    const t0 = Date.now();
    const uids: string[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const res = await callWith({ PROFILES: kv }, "/v1/events", {
        method: "POST",
        headers: { "Content-Type": "text/plain", "CF-Connecting-IP": "2001:db8:42::1" },
        body: JSON.stringify({ events: [view(`f${i}`, { url: "/cars/a" })] }),
      });
      expect(res.status).toBe(202);
      uids.push(uidOf(cookieFrom(res, "udn_id")!));
    }
    expect(new Set(uids).size).toBe(FLOOD);
    // The edge read nothing for them (the objects publish their profiles, as for any user).
    expect(kv.ops).toBe(0);

    // One browser comes back with its cookie: its id is kept for the full retention from then on.
    const back = uids[0]!;
    const cookie = `udn_id=${await signUid(back, env.UID_SECRET)}`;
    expect(
      (
        await callWith({}, "/v1/events", {
          method: "POST",
          headers: { "Content-Type": "text/plain", Cookie: cookie },
          body: JSON.stringify({ events: [view("back", { url: "/cars/b" })] }),
        })
      ).status,
    ).toBe(202);

    // A provisional user's record expires with the provisional hour too.
    expect(await expiresAt(uids[1]!)).toBeGreaterThan(0);
    expect(await expiresAt(uids[1]!)).toBeLessThanOrEqual(Date.now() + PROVISIONAL_RETENTION_S * 1000);
    for (const uid of uids) {
      const { alarm, rows } = await storage(uid);
      expect(rows).toBeGreaterThan(0);
      if (uid === back) expect(alarm).toBeGreaterThan(t0 + PROVISIONAL_RETENTION_S * 1000);
      else expect(alarm).toBeLessThanOrEqual(Date.now() + PROVISIONAL_RETENTION_S * 1000);
    }
    const later = Date.now() + PROVISIONAL_RETENTION_S * 1000 + 1;
    for (const uid of uids) {
      const stub = env.USER_PROFILE.getByName(uid);
      await runInDurableObject(stub, (o: UserProfile) => void (o.now = () => later));
      await runDurableObjectAlarm(stub);
    }
    for (const uid of uids.slice(1)) {
      expect(await storage(uid)).toEqual({ rows: 0, alarm: null });
      expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();
    }
    expect((await storage(back)).rows).toBeGreaterThan(0);
    // Its KV record was written again to last the full retention, not the provisional hour.
    expect(await expiresAt(back)).toBeGreaterThan(t0 + RETENTION_MS - PROVISIONAL_RETENTION_S * 1000);
  });

  it("counts an IPv6 site's /48 as a whole beside each /64", () => {
    expect(ipKeys("203.0.113.7")).toEqual({ ip: "ip:203.0.113.7" });
    expect(ipKeys("2001:db8:42:1::9")).toEqual({ ip: "ip6:2001:db8:42:1", net: "ip6-48:2001:db8:42" });
    expect(ipKeys("2001:0db8:0042:ffff:1:2:3:4")).toEqual({ ip: "ip6:2001:db8:42:ffff", net: "ip6-48:2001:db8:42" });
    expect(ipKeys("::1")).toEqual({ ip: "ip6:0:0:0:0", net: "ip6-48:0:0:0" });
  });
});
