/** Declared ids: browsers declaring one id land on one profile, whatever the order, and a raw address is never taken. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { DeclaredId } from "../../durable/declared-id";
import type { UserProfile } from "../../durable/user-profile";
import { linesOf } from "../support/event-log-reader";
import { call, postEvents, putSegments, view } from "../support/helpers";
import { browser, identify, sha256Hex, uidOf } from "../support/identity";

beforeAll(async () => {
  expect((await putSegments()).status).toBe(200);
});

const carView = (id: string) => view(id, { category: "auto", url: "/cars/suv" });

async function segmentsOf(cookie: string): Promise<string[]> {
  return ((await (await call("/v1/segments", { headers: { Cookie: cookie } })).json()) as { segments: string[] }).segments;
}

describe("declared ids", () => {
  it("two browsers with one declared id qualify one counting segment (3 car views: 2 in one, 1 in the other)", {
    timeout: 30_000,
  }, async () => {
    const email = await sha256Hex("jane.doe@example.com");
    const a = await browser("DeclaredBrowserA000000");
    const b = await browser("DeclaredBrowserB000000");
    await postEvents(a, [carView("a1"), carView("a2")]);
    await postEvents(b, [carView("b1")]);
    expect(await segmentsOf(a)).not.toContain("806");
    expect(await segmentsOf(b)).not.toContain("806");

    const first = await identify(a, { sha256_email: email.toUpperCase() });
    expect(first.res.status).toBe(200);
    expect(await first.res.json()).toEqual({ identified: true });
    const person = uidOf(first.cookie);
    expect(person).not.toBe("DeclaredBrowserA000000");
    const second = await identify(b, { sha256_email: email });
    expect(uidOf(second.cookie)).toBe(person);

    expect(await segmentsOf(first.cookie)).toContain("806");
    expect(await segmentsOf(second.cookie)).toContain("806");
    const current = await env.USER_PROFILE.getByName(person).current();
    expect(current.eventsSeen).toBe(3);
    // The browsers' own profiles are gone from KV: their data lives in the person's now.
    expect(await env.PROFILES.get("u:DeclaredBrowserA000000")).toBeNull();
    const ortb2 = (await (await call("/v1/segments?format=ortb2", { headers: { Cookie: second.cookie } })).json()) as {
      user: { eids: unknown[] };
    };
    expect(ortb2.user.eids).toEqual([{ source: "udn.example", uids: [{ id: person, atype: 3 }] }]);
    // The event log tells the batch engine that each browser's events are the person's.
    for (const uid of ["DeclaredBrowserA000000", "DeclaredBrowserB000000"]) {
      await vi.waitFor(
        async () => expect((await linesOf(uid)).filter((l) => l.type === "link").map((l) => l.props)).toEqual([{ into: person }]),
        { timeout: 20_000, interval: 250 },
      );
    }
  });

  it("sends a joined browser's later events to the person, once each, also under its old cookie", async () => {
    const ppid = "publisher-user-77";
    const old = await browser("OldCookieBrowser000000");
    await postEvents(old, [carView("o1")]);
    const joined = await identify(old, { ppid });
    const person = uidOf(joined.cookie);
    // A tab still holding the old cookie, and a redelivery of an event the person already has.
    await postEvents(old, [carView("o2"), carView("o1")]);
    await postEvents(joined.cookie, [carView("o3")]);
    const current = await env.USER_PROFILE.getByName(person).current();
    expect(current.eventsSeen).toBe(3);
    expect(current.segments.map((s) => s.id)).toContain("806");
  });

  it("converges: the person's profile is the same whichever browser joins first, and a retried join changes nothing", async () => {
    async function scenario(tag: string, order: "ab" | "ba") {
      const a = await browser(`Conv${tag}A`.padEnd(22, "0"));
      const b = await browser(`Conv${tag}B`.padEnd(22, "0"));
      await postEvents(a, [carView(`${tag}1`), view(`${tag}2`, { url: "/cars/x" })]);
      await postEvents(b, [carView(`${tag}3`), carView(`${tag}4`)]);
      const email = await sha256Hex(`${tag}@example.com`);
      const [first, second] = order === "ab" ? [a, b] : [b, a];
      const one = await identify(first, { sha256_email: email });
      await identify(second, { sha256_email: email });
      await identify(first, { sha256_email: email });
      const person = uidOf(one.cookie);
      const p = await env.USER_PROFILE.getByName(person).current();
      return { segments: p.segments.map((s) => s.id).sort(), eventsSeen: p.eventsSeen };
    }
    const ab = await scenario("X", "ab");
    const ba = await scenario("Y", "ba");
    expect(ab).toEqual(ba);
    expect(ab.eventsSeen).toBe(4);
    expect(ab.segments).toEqual(["244", "806"]);
  });

  it("moves a browser whose profile already joined one person to another without moving the data again", async () => {
    const old = await browser("TwoPersonsBrowser00000");
    await postEvents(old, [carView("t1"), carView("t2")]);
    const first = await identify(old, { ppid: "first-reader" });
    // A tab that still holds the old cookie signs in as someone else.
    const second = await identify(old, { ppid: "second-reader" });
    expect(await second.res.json()).toEqual({ identified: true });
    expect(uidOf(second.cookie)).not.toBe(uidOf(first.cookie));
    expect((await env.USER_PROFILE.getByName(uidOf(first.cookie)).current()).eventsSeen).toBe(2);
    expect((await env.USER_PROFILE.getByName(uidOf(second.cookie)).current()).eventsSeen).toBe(0);
  });

  it("refuses a raw address and malformed ids with a 400, storing nothing and setting no cookie", async () => {
    const cookie = await browser("RawAddressBrowser00000");
    const cases: [unknown, string][] = [
      [{ email: "jane@example.com" }, "never the address"],
      [{ sha256_email: "jane@example.com" }, "never the address"],
      [{ sha256_email: "abc" }, "sha256_email must be 64 hex characters"],
      [{ ppid: "" }, "ppid must match"],
      [{ ppid: "x".repeat(151) }, "ppid must match"],
      [{ ppid: "a", sha256_email: "b".repeat(64) }, "exactly one of"],
      ["not json", "body is not valid JSON"],
    ];
    for (const [body, message] of cases) {
      const { res } = await identify(cookie, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(message);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const big = await identify(cookie, { ppid: "x".repeat(2000) });
    expect(big.res.status).toBe(413);
  });

  it("joins nobody without consent, and says so", async () => {
    const cookie = await browser("NoConsentDeclare000000");
    const { res } = await identify(cookie, { ppid: "no-consent-1" }, "?gdpr=1");
    expect(await res.json()).toEqual({ identified: false });
    expect(res.headers.get("X-Udn-Consent")).toMatch(/^denied; /);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe("a declared id's lifetime", () => {
  const RETENTION_MS = Number(env.RETENTION_SECONDS) * 1000;

  it("lasts as long as its person is active, through any browser, and is forgotten a retention after the last activity", async () => {
    const stub = env.DECLARED_ID.getByName("ppid:lifetime-test");
    const t0 = Date.now();
    const person = await stub.claim();
    expect(person).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The person is active half a retention later, without signing in again.
    const profile = env.USER_PROFILE.getByName(person!);
    await runInDurableObject(profile, (o: UserProfile) => void (o.now = () => t0 + RETENTION_MS / 2));
    await profile.track(person!, [carView("lifetime-1")]);

    // A retention after the claim: the person was active since, so the id stays and waits for the person's end.
    await runInDurableObject(stub, (o: DeclaredId) => void (o.now = () => t0 + RETENTION_MS + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())).toBe(t0 + RETENTION_MS / 2 + RETENTION_MS);
    expect(await stub.claim()).toBe(person);

    // The claim above re-armed it: past the person's end and a retention after that claim, it is forgotten.
    await runInDurableObject(stub, (o: DeclaredId) => void (o.now = () => t0 + 3 * RETENTION_MS));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, (_o, state) => state.storage.get("declared"))).toBeUndefined();
    expect(await stub.claim()).not.toBe(person);
  });
});
