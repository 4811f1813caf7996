/** Lookups through the isolate cache over KV: hits, negatives, staleness, read-your-writes, and KV faults. */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import { signUid } from "../../worker/identity/signed-ids";
import { clock, profileCache } from "../../worker/isolate";
import { call, callWith, faultyKv, postEvents, putSegments, S2S, view } from "../support/helpers";

const realNow = clock.now;
afterEach(() => {
  clock.now = realNow;
});

async function seed(uid: string, ids: string[], ts = 1): Promise<void> {
  await env.PROFILES.put(`u:${uid}`, encodeProfile({ ts, segments: ids.map((id) => ({ id, taxonomy: 4 })) }));
}

const segs = async (res: Response) => ((await res.json()) as { segments: string[] }).segments;

describe("lookups through the isolate cache", () => {
  it("reads KV once on a miss, then answers hits from the isolate with Server-Timing saying so", async () => {
    await seed("c-1", ["607"]);
    const kv = faultyKv();
    const miss = await callWith({ PROFILES: kv }, "/v1/users/c-1/segments", { headers: S2S });
    expect(miss.headers.get("Server-Timing")).toMatch(/^cache;desc=miss, kv;dur=\d+$/);
    expect(await segs(miss)).toEqual(["607"]);
    const hit = await callWith({ PROFILES: kv }, "/v1/users/c-1/segments", { headers: S2S });
    expect(hit.headers.get("Server-Timing")).toBe("cache;desc=hit");
    expect(await segs(hit)).toEqual(["607"]);
    expect(kv.reads).toBe(1);
  });

  it("caches unknown users as negatives", async () => {
    const kv = faultyKv();
    for (let i = 0; i < 3; i++)
      expect(await segs(await callWith({ PROFILES: kv }, "/v1/users/c-nobody/segments", { headers: S2S }))).toEqual([]);
    expect(kv.reads).toBe(1);
  });

  it("shares one KV read among concurrent misses for the same user", async () => {
    await seed("c-2", ["608"]);
    const kv = faultyKv({ delayMs: 20 });
    const all = await Promise.all(Array.from({ length: 10 }, () => callWith({ PROFILES: kv }, "/v1/users/c-2/segments", { headers: S2S })));
    for (const r of all) expect(await segs(r)).toEqual(["608"]);
    expect(kv.reads).toBe(1);
  });

  it("serves a stale entry at once and refreshes it in the background", async () => {
    await seed("c-3", ["607"]);
    await call("/v1/users/c-3/segments", { headers: S2S });
    await seed("c-3", ["609"], 2);
    const t = realNow();
    clock.now = () => t + 20_000;
    const stale = await call("/v1/users/c-3/segments", { headers: S2S });
    expect(stale.headers.get("Server-Timing")).toBe("cache;desc=stale");
    expect(await segs(stale)).toEqual(["607"]);
    const fresh = await call("/v1/users/c-3/segments", { headers: S2S });
    expect(fresh.headers.get("Server-Timing")).toBe("cache;desc=hit");
    expect(await segs(fresh)).toEqual(["609"]);
  });

  it("reads KV again once an entry is past the hard TTL", async () => {
    await seed("c-4", ["607"]);
    await call("/v1/users/c-4/segments", { headers: S2S });
    const t = realNow();
    clock.now = () => t + 301_000;
    expect((await call("/v1/users/c-4/segments", { headers: S2S })).headers.get("Server-Timing")).toMatch(/^cache;desc=miss/);
  });

  it("updates the cache from the user's object after events: the user's edge reads its own writes", async () => {
    await putSegments();
    const uid = "E".repeat(22);
    const cookie = `udn_id=${await signUid(uid, env.UID_SECRET)}`;
    await call("/v1/segments", { headers: { Cookie: cookie } });
    await postEvents(cookie, [view("r1", { url: "/cars/x" })]);
    // KV is down now: the answer can only come from the cache the object's reply filled.
    const res = await callWith({ PROFILES: faultyKv({ error: true }) }, "/v1/segments", { headers: { Cookie: cookie } });
    expect(res.headers.get("Server-Timing")).toBe("cache;desc=hit");
    expect(await segs(res)).toEqual(["244"]);
  });
});

describe("KV faults", () => {
  it("answers 200 with an empty profile, marked degraded, when KV throws", async () => {
    const res = await callWith({ PROFILES: faultyKv({ error: true }) }, "/v1/users/f-1/segments", { headers: S2S });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-UDN-Degraded")).toBe("kv-error");
    expect(await res.json()).toEqual({ segments: [], ts: 0 });
  });

  it("answers from the expired entry when KV fails after the hard TTL", async () => {
    await seed("f-2", ["607"]);
    await call("/v1/users/f-2/segments", { headers: S2S });
    const t = realNow();
    clock.now = () => t + 400_000;
    const res = await callWith({ PROFILES: faultyKv({ error: true }) }, "/v1/users/f-2/segments", { headers: S2S });
    expect(res.headers.get("X-UDN-Degraded")).toBe("kv-error");
    expect(await segs(res)).toEqual(["607"]);
  });

  it("does not wait past the deadline for a slow KV", async () => {
    await seed("f-3", ["607"]);
    const res = await callWith({ PROFILES: faultyKv({ delayMs: 300 }), KV_DEADLINE_MS: "20" }, "/v1/users/f-3/segments", { headers: S2S });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-UDN-Degraded")).toBe("kv-timeout");
    expect(await segs(res)).toEqual([]);
    // The slow read still completed after the answer (kept alive by waitUntil) and filled the cache: a KV that
    // now fails is not even asked.
    const down = faultyKv({ error: true });
    const next = await callWith({ PROFILES: down }, "/v1/users/f-3/segments", { headers: S2S });
    expect(next.headers.get("Server-Timing")).toBe("cache;desc=hit");
    expect(await segs(next)).toEqual(["607"]);
    expect(down.reads).toBe(0);
  });

  it("lets a batch's slow KV read fill the cache after its degraded answer", async () => {
    await seed("f-6", ["608"]);
    const slow = { PROFILES: faultyKv({ delayMs: 300 }), KV_DEADLINE_MS: "20" };
    const res = await callWith(slow, "/v1/lookup", { method: "POST", headers: S2S, body: JSON.stringify({ uids: ["f-6"] }) });
    expect(res.headers.get("X-UDN-Degraded")).toBe("kv-timeout");
    expect(await res.json()).toEqual({ results: { "f-6": [] } });
    const down = faultyKv({ error: true });
    expect(await segs(await callWith({ PROFILES: down }, "/v1/users/f-6/segments", { headers: S2S }))).toEqual(["608"]);
    expect(down.reads).toBe(0);
  });

  it("degrades a batch lookup the same way, never a 5xx", async () => {
    const res = await callWith({ PROFILES: faultyKv({ error: true }) }, "/v1/lookup", {
      method: "POST",
      headers: S2S,
      body: JSON.stringify({ uids: ["f-4", "f-5"] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-UDN-Degraded")).toBe("kv-error");
    expect(await res.json()).toEqual({ results: { "f-4": [], "f-5": [] } });
  });

  it("answers a batch lookup from the cache first and reads only the misses", async () => {
    await seed("m-1", ["607"]);
    await seed("m-2", ["608"]);
    await call("/v1/users/m-1/segments", { headers: S2S });
    profileCache.delete("m-2");
    const kv = faultyKv();
    const res = await callWith({ PROFILES: kv }, "/v1/lookup", {
      method: "POST",
      headers: S2S,
      body: JSON.stringify({ uids: ["m-1", "m-2"] }),
    });
    expect(await res.json()).toEqual({ results: { "m-1": ["607"], "m-2": ["608"] } });
    expect(kv.reads).toBe(1);
  });
});
