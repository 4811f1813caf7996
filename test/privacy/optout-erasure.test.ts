/** Opt-out from the browser and erasure by uid: cookies, answers and storage. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { UserProfile } from "../../durable/user-profile";
import { signUid } from "../../worker/identity/signed-ids";
import { call, cookieFrom, postEvents, putSegments, S2S, view } from "../support/helpers";

describe("opt-out and erasure", () => {
  it("opts a browser out: its data is erased, its id cookie cleared, udn_optout set", async () => {
    await putSegments();
    const uid = "D".repeat(22);
    const cookie = `udn_id=${await signUid(uid, env.UID_SECRET)}`;
    await postEvents(cookie, [view("o1", { url: "/cars/a" })]);
    expect(await env.PROFILES.get(`u:${uid}`)).not.toBeNull();

    const res = await call("/v1/optout", { method: "POST", headers: { Cookie: cookie } });
    expect(await res.json()).toEqual({ optedOut: true });
    const set = res.headers.getSetCookie();
    expect(set.find((c) => c.startsWith("udn_id="))).toMatch(/Max-Age=0.*Partitioned/);
    expect(set.find((c) => c.startsWith("udn_optout=1"))).toContain("SameSite=None");
    expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();
    expect(await env.USER_PROFILE.getByName(uid).current()).toMatchObject({ segments: [], eventsSeen: 0, erased: true });
    // The same id cannot come back through events while the tombstone lasts.
    await postEvents(cookie, [view("o2", { url: "/cars/b" })]);
    expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();
    expect(cookieFrom(res, "udn_optout")).toBe("udn_optout=1");
  });

  it("erases a user by uid for a server caller, and a later batch does not bring them back", async () => {
    const stub = env.USER_PROFILE.getByName("erase-me");
    await stub.applyBatch("erase-me", { version: 1, segments: ["607"], ttlMs: 86_400_000 });
    expect(await env.PROFILES.get("u:erase-me")).not.toBeNull();
    expect((await call("/v1/users/erase-me", { method: "DELETE" })).status).toBe(401);
    const res = await call("/v1/users/erase-me", { method: "DELETE", headers: S2S });
    expect(await res.json()).toEqual({ erased: true });
    expect(await env.PROFILES.get("u:erase-me")).toBeNull();
    expect((await stub.applyBatch("erase-me", { version: 2, segments: ["608"], ttlMs: 86_400_000 })).applied).toBe(0);
    expect(await env.PROFILES.get("u:erase-me")).toBeNull();

    // After the retention period the tombstone itself is deleted by the alarm.
    await runInDurableObject(stub, (o: UserProfile) => {
      o.now = () => Date.now() + Number(env.RETENTION_SECONDS) * 1000 + 1;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.current()).toMatchObject({ erased: false, batchVersion: 0 });
  });
});
