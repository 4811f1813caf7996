/** Event collection: POST /v1/events (JSON and beacons), origins, the pixel. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import { call, cookieFrom, postEvents, putSegments, view } from "../support/helpers";

/** Storage is shared by the tests of a file, so each test names its own user. */
const cookie = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;

async function profileOf(uid: string) {
  return env.USER_PROFILE.getByName(uid).current();
}

describe("POST /v1/events", () => {
  it("accepts JSON and text/plain beacons with 202 and applies them in the user's object", async () => {
    await putSegments();
    const uid = "A".repeat(22);
    const a = await postEvents(await cookie(uid), [view("a1", { url: "/cars/suv" })]);
    expect(a.status).toBe(202);
    expect(await a.json()).toEqual({ accepted: 1 });
    expect((await profileOf(uid)).segments).toEqual([{ id: "244", taxonomy: 4 }]);
  });

  it("gives a browser without an id one, and attributes its events to it", async () => {
    await putSegments();
    const res = await postEvents(undefined, [view("n1", { url: "/cars/a" })], "text/plain;charset=UTF-8");
    expect(res.status).toBe(202);
    const uid = cookieFrom(res, "udn_id")!.split("=")[1]!.split(".")[0]!;
    expect((await profileOf(uid)).segments.map((s) => s.id)).toEqual(["244"]);
  });

  it("stores nothing for an opted-out browser", async () => {
    const res = await call("/v1/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: "udn_optout=1" },
      body: JSON.stringify({ events: [view("o1", {})] }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 0 });
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("rejects bad input with the right status and an error naming the problem, recording nothing", async () => {
    const uid = "B".repeat(22);
    const c = await cookie(uid);
    const big = JSON.stringify({ events: [view("x", { p: "y".repeat(17_000) })] });
    const cases: [RequestInit, number, string][] = [
      [{ headers: { "Content-Type": "application/xml" }, body: "<a/>" }, 415, "Content-Type must be application/json or text/plain"],
      [{ headers: { "Content-Type": "application/json" }, body: big }, 413, "body is larger than 16384 bytes"],
      [{ headers: { "Content-Type": "application/json" }, body: "{" }, 400, "body is not valid JSON"],
      [{ headers: { "Content-Type": "application/json" }, body: '{"event":[]}' }, 400, 'body must be {"events":[…]}'],
      [{ headers: { "Content-Type": "application/json" }, body: '{"events":[]}' }, 400, "events is empty"],
      [
        {
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ events: Array.from({ length: 51 }, (_, i) => view(`m${i}`, {})) }),
        },
        413,
        "events has 51 entries; at most 50",
      ],
      [
        { headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ events: [{ type: "view" }] }) },
        400,
        "events[0].id must be a string",
      ],
      [
        { headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ events: [{ id: "1", type: "View!" }] }) },
        400,
        "events[0].type must be a string",
      ],
      [
        { headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ events: [{ id: "1", type: "optout" }] }) },
        400,
        'events[0].type "optout" is reserved',
      ],
      [
        { headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ events: [{ id: "1", type: "view", ts: "now" }] }) },
        400,
        "events[0].ts must be a positive integer",
      ],
      [
        { headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ events: [{ id: "1", type: "view", props: [] }] }) },
        400,
        "events[0].props must be an object",
      ],
      [
        { headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ events: [{ id: "1", type: "view", props: { a: {} } }] }) },
        400,
        "events[0].props.a must be a string",
      ],
    ];
    for (const [init, status, error] of cases) {
      const res = await call("/v1/events", { method: "POST", ...init, headers: { ...(init.headers as object), Cookie: c } });
      expect(res.status, error).toBe(status);
      expect(((await res.json()) as { error: string }).error).toContain(error);
    }
    expect(await profileOf(uid)).toMatchObject({ segments: [], ts: 0, eventsSeen: 0 });
  });
});

describe("events from pages", () => {
  it("refuses events from an origin not in ALLOWED_ORIGINS (a beacon arrives whatever CORS says), records nothing", async () => {
    await putSegments();
    const uid = "K".repeat(22);
    const headers = { "Content-Type": "text/plain", Cookie: await cookie(uid) };
    const body = JSON.stringify({ events: [view("x1", { url: "/cars/a" })] });
    for (const origin of ["https://evil.example", "null"]) {
      const res = await call("/v1/events", { method: "POST", headers: { ...headers, Origin: origin }, body });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toContain("Origin is not in ALLOWED_ORIGINS");
    }
    const px = await call("/v1/px.gif?type=view&id=x2&url=/cars/b", {
      headers: { Cookie: headers.Cookie, Origin: "https://evil.example" },
    });
    expect(px.headers.get("Content-Type")).toBe("image/gif");
    expect(await profileOf(uid)).toMatchObject({ eventsSeen: 0 });
    expect((await call("/v1/events", { method: "POST", headers: { ...headers, Origin: "http://localhost:8080" }, body })).status).toBe(202);
    expect((await call("/v1/events", { method: "POST", headers, body: JSON.stringify({ events: [view("x3", {})] }) })).status).toBe(202);
    expect(await profileOf(uid)).toMatchObject({ eventsSeen: 2 });
  });
});

describe("GET /v1/px.gif", () => {
  it("always answers a GIF and records only valid events", async () => {
    await putSegments();
    const uid = "C".repeat(22);
    const c = await cookie(uid);
    const bad = await call("/v1/px.gif?type=Bad!&id=1", { headers: { Cookie: c } });
    expect(bad.status).toBe(200);
    expect(bad.headers.get("Content-Type")).toBe("image/gif");
    expect(new Uint8Array(await bad.arrayBuffer()).slice(0, 6)).toEqual(new TextEncoder().encode("GIF89a"));
    expect(await profileOf(uid)).toMatchObject({ segments: [], eventsSeen: 0 });
    const good = await call("/v1/px.gif?type=view&id=p1&url=/cars/coupe&gdpr=0", { headers: { Cookie: c } });
    expect(good.headers.get("Content-Type")).toBe("image/gif");
    expect(await profileOf(uid)).toMatchObject({ segments: [{ id: "244", taxonomy: 4 }], eventsSeen: 1 });
  });
});
