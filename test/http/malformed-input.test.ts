/** Malformed requests to every endpoint (fast-check): the exact 4xx with a JSON error, never a 5xx, nothing changed. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { UserProfile } from "../../durable/user-profile";
import { signUid } from "../../worker/identity/signed-ids";
import { type FuzzCase, printable } from "../support/fuzz-arbitraries";
import { adminCases, browserCases, CURRENT_VERSION, eventCases, lookupCases, pixelCases, userCases } from "../support/fuzz-endpoints";
import { ADMIN, call, postEvents, putSegments, view } from "../support/helpers";

/** A user with state in every tier, whose cookie the malformed requests carry: nothing may change it. */
const UID = "Z".repeat(22);
let cookie = "";

/** Everything a rejected request could have changed: every KV entry, the user's object, the rules, the sync state. */
async function snapshot(): Promise<string> {
  const kv: [string, string | null][] = [];
  for (const k of (await env.PROFILES.list()).keys) kv.push([k.name, await env.PROFILES.get(k.name)]);
  const rows = await runInDurableObject(env.USER_PROFILE.getByName(UID), (_o: UserProfile, state) =>
    ["state", "seen_days"].map((t) => state.storage.sql.exec(`SELECT * FROM ${t}`).toArray()),
  );
  const sync = await (await call("/v1/admin/sync", { headers: ADMIN })).text();
  return JSON.stringify({ kv, rows, sync });
}

async function send(k: Pick<FuzzCase, "method" | "path" | "headers" | "body">): Promise<Response> {
  return call(k.path, { method: k.method, headers: k.headers, ...(k.body === undefined ? {} : { body: k.body }) });
}

async function expectJsonError(res: Response): Promise<string> {
  expect(res.headers.get("Content-Type")).toContain("application/json");
  const body = (await res.json()) as { error?: unknown };
  expect(typeof body.error).toBe("string");
  expect((body.error as string).length).toBeGreaterThan(0);
  return body.error as string;
}

beforeAll(async () => {
  const doc = (await import("../../demo/segments.json")).default;
  expect((await putSegments({ ...doc, version: CURRENT_VERSION })).status).toBe(200);
  cookie = `udn_id=${await signUid(UID, env.UID_SECRET)}`;
  await postEvents(cookie, [view("z1", { url: "/cars/a" })]);
  expect(await env.PROFILES.get(`u:${UID}`)).not.toBeNull();
});

describe("malformed requests (fast-check)", () => {
  it("are each rejected with the status and a JSON error naming the problem, changing nothing", async () => {
    const before = await snapshot();
    const cases = fc.oneof(eventCases(cookie), pixelCases(cookie), lookupCases(), userCases(), adminCases(), browserCases(cookie));
    await fc.assert(
      fc.asyncProperty(cases, async (k) => {
        const res = await send(k);
        expect(res.headers.get("Set-Cookie")).toBeNull();
        if (k.expect === "gif") {
          expect(res.status).toBe(200);
          expect(res.headers.get("Content-Type")).toBe("image/gif");
          await res.body?.cancel();
          return;
        }
        expect(res.status).toBe(k.expect.status);
        expect(await expectJsonError(res)).toContain(k.expect.error);
      }),
      { numRuns: 5000 },
    );
    expect(await snapshot()).toBe(before);
  });

  it("of any shape never get a 5xx, and every error is JSON", async () => {
    const before = await snapshot();
    const junk = fc.string({
      unit: fc.constantFrom("a", "Z", "0", "-", ".", "/", "%", "%zz", "%E0%A4%A", "%00", "é", "..", "?", "&", "=", ";", " ", "~"),
      maxLength: 30,
    });
    const path = fc.oneof(
      fc.constantFrom(
        "/healthz",
        "/v1/segments",
        "/v1/events",
        "/v1/px.gif",
        "/v1/optout",
        "/v1/lookup",
        "/v1/users/u1",
        "/v1/users/u1/segments",
        "/v1/admin/segments",
        "/v1/admin/sync",
      ),
      junk.map((j) => `/v1/users/${j}/segments`),
      junk.map((j) => `/v1/${j}`),
    );
    const key = fc.constantFrom(
      "format",
      "callback",
      "gdpr",
      "gdpr_consent",
      "gpp",
      "gpp_sid",
      "us_privacy",
      "type",
      "id",
      "ts",
      "url",
      "x",
    );
    const query = fc
      .array(fc.tuple(key, fc.oneof(junk, fc.string({ maxLength: 20 }))), { maxLength: 5 })
      .map((q) => q.map(([k, v]) => `${k}=${v}`).join("&"));
    const headerName = fc.constantFrom(
      "Content-Type",
      "Cookie",
      "Authorization",
      "Sec-GPC",
      "CF-Connecting-IP",
      "Origin",
      "Content-Length",
      "X-Junk",
    );
    const headers = fc.dictionary(headerName, printable(60), { maxKeys: 5 });
    const body = fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.uint8Array({ maxLength: 200 })), { nil: undefined });
    const method = fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH");
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, body, async (m, p, q, h, b) => {
        // Content-Length must be a number for the request to be built at all; a wrong one is still allowed.
        if (h["Content-Length"] !== undefined && !/^[0-9]{1,7}$/.test(h["Content-Length"])) delete h["Content-Length"];
        const res = await send({
          method: m,
          path: q ? `${p}?${q}` : p,
          headers: h,
          ...(m === "GET" || b === undefined ? {} : { body: b }),
        });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) await expectJsonError(res);
        else await res.body?.cancel();
      }),
      { numRuns: 3000 },
    );
    expect(await snapshot()).toBe(before);
  });
});
