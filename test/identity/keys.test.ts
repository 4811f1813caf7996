/** Keys: bearer tokens compared whole, S2S and admin kept apart, API key and UID_SECRET rotation. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import { tokenMatches } from "../../worker/http/bearer-auth";
import { signUid, verifySignedUid } from "../../worker/identity/signed-ids";
import worker from "../../worker/index";
import { ADMIN, BASE, call, cookieFrom, S2S } from "../support/helpers";

const OLD = "old-uid-secret-0123456789abcdef";
const NEW = "new-uid-secret-fedcba9876543210";

async function fetchWith(overrides: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(BASE + path, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("API keys and the admin token", () => {
  it("are compared whole, in constant time, against every configured key", async () => {
    expect(await tokenMatches("k2-secret", ["k1-secret", "k2-secret"])).toBe(true);
    for (const wrong of ["k2-secre", "k2-secret ", "K2-SECRET", "", "k1-secretk2-secret"])
      expect(await tokenMatches(wrong, ["k1-secret", "k2-secret"])).toBe(false);
    // An empty configured key (a trailing comma in API_KEYS) never matches anything.
    expect(await tokenMatches("", ["", "k1"])).toBe(false);
  });

  it("keep S2S and admin apart: each credential is refused (403) where it does not belong", async () => {
    for (const [path, init] of [
      ["/v1/admin/segments", { headers: S2S }],
      ["/v1/admin/sync", { headers: S2S }],
      ["/v1/users/u1/segments", { headers: ADMIN }],
      ["/v1/lookup", { method: "POST", headers: ADMIN, body: '{"uids":[]}' }],
      ["/v1/users/u1", { method: "DELETE", headers: ADMIN }],
    ] as [string, RequestInit][]) {
      const res = await call(path, init);
      expect(res.status, path).toBe(403);
      expect(await res.json()).toEqual({ error: "the bearer key is not valid for this endpoint" });
    }
  });

  it("accept any of several API keys, so keys can be rotated one at a time", async () => {
    const keys = { API_KEYS: "first-key-aaaaaaaa, second-key-bbbbbbbb," };
    for (const key of ["first-key-aaaaaaaa", "second-key-bbbbbbbb"]) {
      expect((await fetchWith(keys, "/v1/users/u1/segments", { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    }
    expect((await fetchWith(keys, "/v1/users/u1/segments", { headers: S2S })).status).toBe(403);
    expect((await fetchWith(keys, "/v1/users/u1/segments", { headers: { Authorization: "Bearer " } })).status).toBe(401);
  });
});

describe("udn_id signing keys", () => {
  it("accept a cookie signed with the previous secret during a rotation and re-sign it with the current one", async () => {
    const uid = "P".repeat(22);
    await env.PROFILES.put(`u:${uid}`, encodeProfile({ ts: 5, segments: [{ id: "806", taxonomy: 4 }] }));
    const rotating = { UID_SECRET: NEW, UID_SECRET_PREVIOUS: OLD };
    const res = await fetchWith(rotating, "/v1/segments", { headers: { Cookie: `udn_id=${await signUid(uid, OLD)}` } });
    expect(await res.json()).toEqual({ segments: ["806"], ts: 5 });
    const renewed = cookieFrom(res, "udn_id")!.slice("udn_id=".length);
    expect(verifySignedUid(renewed, [NEW])).toEqual({ uid, stale: false });

    // A current signature is left alone; once the old key is dropped an old signature is just a foreign one.
    const current = await fetchWith(rotating, "/v1/segments", { headers: { Cookie: `udn_id=${renewed}` } });
    expect(current.headers.get("Set-Cookie")).toBeNull();
    const after = await fetchWith({ UID_SECRET: NEW, UID_SECRET_PREVIOUS: "" }, "/v1/segments", {
      headers: { Cookie: `udn_id=${await signUid(uid, OLD)}` },
    });
    expect(await after.json()).toEqual({ segments: [], ts: 0 });
    expect(cookieFrom(after, "udn_id")).not.toContain(uid);
  });
});
