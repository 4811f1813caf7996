/** POST /v1/events?answer=profile: the answer waits for the user's object and carries the new profile in the lookup's page form. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import { call, callWith, putSegments, view } from "../support/helpers";

const cookie = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;
const post = (path: string, cookieHeader: string | undefined, events: unknown[]) =>
  call(path, {
    method: "POST",
    headers: { "Content-Type": "text/plain;charset=UTF-8", ...(cookieHeader ? { Cookie: cookieHeader } : {}) },
    body: JSON.stringify({ events }),
  });

describe("POST /v1/events?answer=profile", () => {
  it("answers 200 with the profile these events made, equal to the browser's next page lookup", async () => {
    await putSegments();
    const c = await cookie("P".repeat(22));
    const res = await post("/v1/events?answer=profile", c, [view("p1", { url: "/cars/suv" })]);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as { accepted: number; profile: { ts: number } };
    expect(body).toEqual({
      accepted: 1,
      profile: {
        segments: ["244"],
        ts: expect.any(Number),
        user: {
          data: [{ name: "udn.example", ext: { segtax: 4 }, segment: [{ id: "244" }] }],
          eids: [{ source: "udn.example", uids: [{ id: "P".repeat(22), atype: 1 }] }],
        },
        gpt: { udn: ["244"] },
      },
    });
    expect(body.profile.ts).toBeGreaterThan(0);
    const lookup = await call("/v1/segments?format=page", { headers: { Cookie: c } });
    expect(await lookup.json()).toEqual(body.profile);
  });

  it("keeps the plain 202 answer for callers that do not ask", async () => {
    await putSegments();
    const res = await post("/v1/events?answer=no", await cookie("Q".repeat(22)), [view("q1", { url: "/cars/a" })]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
  });

  it("gives an opted-out browser the empty profile and stores nothing", async () => {
    const res = await post("/v1/events?answer=profile", "udn_optout=1", [view("o1", {})]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 0, profile: { segments: [], ts: 0, user: { data: [] }, gpt: { udn: [] } } });
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("says profile null when the user's object cannot be reached (the events go to the retry queue)", async () => {
    await putSegments();
    const broken = {
      getByName: () => ({ track: () => Promise.reject(new Error("Durable Object is overloaded")) }),
    } as unknown as Env["USER_PROFILE"];
    const res = await callWith({ USER_PROFILE: broken }, "/v1/events?answer=profile", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: await cookie("R".repeat(22)) },
      body: JSON.stringify({ events: [view("r1", {})] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 1, profile: null });
  });
});
