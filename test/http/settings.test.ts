/** Settings are checked where they are read: a bad var answers a configuration error naming it; erasure may have its own keys. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, flagSetting, numberSetting } from "../../domain/setting";
import type { UserProfile } from "../../durable/user-profile";
import { callWith, S2S, view } from "../support/helpers";
import { objectStorage } from "../support/object-storage";

type Stub = DurableObjectStub<UserProfile>;

/** Replaces one var of the object's environment, as a deployment with that value would have it. */
async function objectVar(stub: Stub, name: keyof Env, value: string): Promise<void> {
  await runInDurableObject(stub, (o: UserProfile) => {
    const self = o as unknown as { env: Env };
    self.env = { ...self.env, [name]: value };
  });
}

async function tableRows(stub: Stub): Promise<number> {
  return (await objectStorage(stub)).rows;
}

describe("settings", () => {
  it("parses numbers and flags strictly: unset takes the default, anything malformed or out of range is an error naming the var", () => {
    const r = { min: 1, max: 10, integer: true, fallback: 5 };
    expect(numberSetting("X", undefined, r)).toBe(5);
    expect(numberSetting("X", " ", r)).toBe(5);
    expect(numberSetting("X", "7", r)).toBe(7);
    for (const bad of ["abc", "0", "11", "2.5", "NaN", "Infinity", "-1"]) {
      expect(() => numberSetting("X", bad, r)).toThrow(new ConfigError("X must be an integer from 1 to 10"));
    }
    expect(() => numberSetting("X", undefined, { min: 1, max: 2 })).toThrow("X is not set");
    expect(flagSetting("F", undefined, true)).toBe(true);
    expect(flagSetting("F", "false", true)).toBe(false);
    expect(() => flagSetting("F", "yes", true)).toThrow('F must be "true" or "false"');
  });

  it("answers a 500 naming the var when an edge setting is absurd, and works again with it fixed", async () => {
    // Each var on a request that reads it: a bidder's lookup misses the cache (KV deadline), a new browser gets a cookie.
    for (const [name, value, path, headers] of [
      ["KV_DEADLINE_MS", "abc", "/v1/users/cfg-1/segments", S2S],
      ["KV_DEADLINE_MS", "0", "/v1/users/cfg-2/segments", S2S],
      ["METRICS_SAMPLE_RATE", "2", "/healthz", {}],
      ["COOKIE_PARTITIONED", "yes", "/v1/segments", {}],
      ["CONSENT_VENDOR_ID", "-4", "/v1/segments", {}],
    ] as const) {
      const res = await callWith({ [name]: value }, path, { headers });
      expect(res.status, `${name}=${value}`).toBe(500);
      expect(((await res.json()) as { error: string }).error).toMatch(new RegExp(`^configuration error: ${name} `));
    }
    expect((await callWith({ KV_DEADLINE_MS: "250" }, "/v1/users/cfg-3/segments", { headers: S2S })).status).toBe(200);
  });

  it("refuses RETENTION_SECONDS of NaN or 0 before the object stores anything, and keeps a tombstone through a bad alarm", async () => {
    for (const bad of ["abc", "0", ""]) {
      const stub = env.USER_PROFILE.getByName(`bad-retention-${bad}`);
      await objectVar(stub, "RETENTION_SECONDS", bad);
      const error = await runInDurableObject(stub, (o: UserProfile) =>
        o.track(`bad-retention-${bad}`, [view("r1", { url: "/cars/a" })]).then(
          () => "",
          (e: unknown) => String(e),
        ),
      );
      expect(error).toMatch(/^ConfigError: RETENTION_SECONDS /);
      expect(await tableRows(stub)).toBe(0);
    }
    const uid = "tombstone-kept";
    const stub = env.USER_PROFILE.getByName(uid);
    await stub.erase(uid);
    await objectVar(stub, "RETENTION_SECONDS", "0");
    await runInDurableObject(stub, (o: UserProfile) => void (o.now = () => Date.now() + 10_000));
    // The alarm throws (the runtime retries it) rather than deleting the tombstone at once.
    const error = await runInDurableObject(stub, (o: UserProfile) =>
      o.alarm().then(
        () => "",
        (e: unknown) => String(e),
      ),
    );
    expect(error).toMatch(/^ConfigError: RETENTION_SECONDS /);
    expect(await stub.current()).toMatchObject({ erased: true });
  });

  it("erasure takes ERASE_KEYS where set, and the bidders' keys where not; lookups keep the bidders' keys", async () => {
    const eraser = { Authorization: "Bearer erase-key-0123456789" };
    const own = { ERASE_KEYS: "erase-key-0123456789" };
    expect((await callWith(own, "/v1/users/ek-1", { method: "DELETE", headers: S2S })).status).toBe(403);
    expect((await callWith(own, "/v1/users/ek-1", { method: "DELETE", headers: eraser })).status).toBe(200);
    expect((await callWith(own, "/v1/users/ek-1/segments", { headers: S2S })).status).toBe(200);
    expect((await callWith(own, "/v1/users/ek-1/segments", { headers: eraser })).status).toBe(403);
    expect((await callWith({}, "/v1/users/ek-2", { method: "DELETE", headers: S2S })).status).toBe(200);
  });
});
