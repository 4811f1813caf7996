/** The location's cache between the isolates and KV: one KV read per user and location, the user's own writes, erasure. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import { profileCache } from "../../worker/isolate";
import { callWith, faultyKv, putSegments, S2S, view } from "../support/helpers";

const ON = { LOCATION_CACHE_S: "30" };
const cookieOf = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;

/** A new isolate of the same location: its own cache empty, the location's shared. */
const otherIsolate = () => profileCache.clear();

describe("the location's cache", () => {
  it("lets the location's isolates share one KV read per user, known or absent", async () => {
    await env.PROFILES.put("u:loc-known", "1|1795700000000|4:244");
    const kv = faultyKv();
    const over = { ...ON, PROFILES: kv };
    for (const uid of ["loc-known", "loc-absent"]) {
      const first = await callWith(over, `/v1/users/${uid}/segments`, { headers: S2S });
      expect(first.headers.get("Server-Timing")).toMatch(/^cache;desc=miss, kv;dur=/);
      const body = await first.json();
      otherIsolate();
      expect(await (await callWith(over, `/v1/users/${uid}/segments`, { headers: S2S })).json()).toEqual(body);
    }
    expect(kv.reads).toBe(2);
    // Batches too: both are in the location now.
    otherIsolate();
    const batch = await callWith(over, "/v1/lookup", {
      method: "POST",
      headers: S2S,
      body: JSON.stringify({ uids: ["loc-known", "loc-absent"] }),
    });
    expect(await batch.json()).toEqual({ results: { "loc-known": ["244"], "loc-absent": [] } });
    expect(kv.reads).toBe(2);
    // Turned off, every isolate miss reads KV.
    otherIsolate();
    await callWith({ LOCATION_CACHE_S: "0", PROFILES: kv }, "/v1/users/loc-known/segments", { headers: S2S });
    expect(kv.reads).toBe(3);
  });

  it("serves the user's own writes to the location's other isolates before KV has them, and nothing after an erasure", async () => {
    await putSegments();
    const uid = "U".repeat(22);
    const cookie = await cookieOf(uid);
    const posted = await callWith(ON, "/v1/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: cookie },
      body: JSON.stringify({ events: [view("l1", { url: "/cars/a" })] }),
    });
    expect(posted.status).toBe(202);
    const kv = faultyKv({ error: true });
    otherIsolate();
    const own = await callWith({ ...ON, PROFILES: kv }, "/v1/segments", { headers: { Cookie: cookie } });
    expect(((await own.json()) as { segments: string[] }).segments).toContain("244");
    expect(kv.reads).toBe(0);

    expect((await callWith(ON, `/v1/users/${uid}`, { method: "DELETE", headers: S2S })).status).toBe(200);
    otherIsolate();
    const after = await callWith({ ...ON, PROFILES: faultyKv() }, "/v1/segments", { headers: { Cookie: cookie } });
    expect(await after.json()).toEqual({ segments: [], ts: 0 });
  });

  it("keeps an entry no longer than KV's own edge cache", async () => {
    await callWith(ON, "/v1/users/loc-ttl/segments", { headers: S2S });
    const entry = await caches.default.match("https://edge.test/__udn/location-cache/u%3Aloc-ttl");
    expect(entry?.headers.get("Cache-Control")).toBe("max-age=30");
    expect((await callWith({ LOCATION_CACHE_S: "31" }, "/v1/users/loc-x/segments", { headers: S2S })).status).toBe(500);
  });
});
