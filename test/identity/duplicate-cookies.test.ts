/** Two udn_id cookies in one header: lookups and events agree on the user. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeProfile } from "../../domain/profile-record";
import { app } from "../../worker/app";
import { signUid } from "../../worker/identity/signed-ids";
import { BASE, call, postEvents, putSegments, view } from "../support/helpers";

const FIRST = "DupCookieFirstUser0000";
const SECOND = "DupCookieSecondUser000";

async function segmentsVia(path: "worker" | "app", cookie: string): Promise<string[]> {
  const init = { headers: { Cookie: cookie } };
  let res: Response;
  if (path === "worker") res = await call("/v1/segments", init);
  else {
    const ctx = createExecutionContext();
    res = await app.fetch(new Request(`${BASE}/v1/segments`, init), env, ctx);
    await waitOnExecutionContext(ctx);
  }
  expect(res.status).toBe(200);
  return ((await res.json()) as { segments: string[] }).segments;
}

describe("a Cookie header with two udn_id cookies", () => {
  it("is the first one's user for lookups (hot path and app) and for events alike", async () => {
    await putSegments();
    await env.PROFILES.put(`u:${FIRST}`, encodeProfile({ ts: 1, segments: [{ id: "first" }] }));
    await env.PROFILES.put(`u:${SECOND}`, encodeProfile({ ts: 1, segments: [{ id: "second" }] }));
    const [a, b] = [await signUid(FIRST, env.UID_SECRET), await signUid(SECOND, env.UID_SECRET)];
    const header = `udn_id=${a}; theme=dark; udn_id=${b}`;
    // Twice through the Worker: the first reads KV, the second is answered from memory by the hot path.
    expect(await segmentsVia("worker", header)).toEqual(["first"]);
    expect(await segmentsVia("worker", header)).toEqual(["first"]);
    expect(await segmentsVia("app", header)).toEqual(["first"]);
    expect(await segmentsVia("worker", `udn_id=${b}; udn_id=${a}`)).toEqual(["second"]);

    expect((await postEvents(header, [view("dup-1", { url: "/cars/suv" })])).status).toBe(202);
    expect((await env.USER_PROFILE.getByName(FIRST).current()).eventsSeen).toBe(1);
    expect((await env.USER_PROFILE.getByName(SECOND).current()).eventsSeen).toBe(0);
  });
});
