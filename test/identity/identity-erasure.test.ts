/** Erasure and opt-out of a person reach every alias (partner and declared) and every joined browser, and stay. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { linesOf } from "../support/event-log-reader";
import { call, postEvents, putSegments, S2S, view } from "../support/helpers";
import { browser, identify, putPartners, sha256Hex, uidOf } from "../support/identity";

beforeAll(async () => {
  expect((await putSegments()).status).toBe(200);
  expect((await putPartners()).status).toBe(200);
});

const carView = (id: string) => view(id, { category: "auto", url: "/cars/suv" });

/** A person joined by two browsers, with a partner id matched to it; returns the person's cookie and uids. */
async function person(tag: string) {
  const a = await browser(`Erase${tag}A`.padEnd(22, "0"));
  const b = await browser(`Erase${tag}B`.padEnd(22, "0"));
  await postEvents(a, [carView(`${tag}1`)]);
  await postEvents(b, [carView(`${tag}2`)]);
  const email = await sha256Hex(`${tag}@example.com`);
  const joined = await identify(a, { sha256_email: email });
  await identify(b, { sha256_email: email });
  const match = await call(`/v1/match?partner=ssp1&puid=puid-${tag}`, { headers: { Cookie: joined.cookie } });
  expect(match.headers.get("X-Udn-Match")).toBe("stored");
  expect(await env.PROFILES.get(`a:ssp1:puid-${tag}`)).toBe(uidOf(joined.cookie));
  return { cookie: joined.cookie, uid: uidOf(joined.cookie), a: `Erase${tag}A`.padEnd(22, "0"), b: `Erase${tag}B`.padEnd(22, "0"), email };
}

async function leftBehind(p: { uid: string; a: string; b: string }, tag: string): Promise<string[]> {
  const keys = [`u:${p.uid}`, `u:${p.a}`, `u:${p.b}`, `a:ssp1:puid-${tag}`];
  const found = await Promise.all(keys.map(async (k) => ((await env.PROFILES.get(k)) === null ? null : k)));
  return found.filter((k): k is string => k !== null);
}

describe("erasing a person", () => {
  it("an opt-out from a browser removes every alias and joined profile, and the log records each uid", { timeout: 30_000 }, async () => {
    const p = await person("O");
    const res = await call("/v1/optout", { method: "POST", headers: { Cookie: p.cookie } });
    expect(await res.json()).toEqual({ optedOut: true });
    expect(await leftBehind(p, "O")).toEqual([]);
    for (const uid of [p.uid, p.a, p.b]) expect((await env.USER_PROFILE.getByName(uid).current()).erased).toBe(true);
    for (const uid of [p.uid, p.a, p.b]) {
      await vi.waitFor(async () => expect((await linesOf(uid)).some((l) => l.type === "optout")).toBe(true), {
        timeout: 20_000,
        interval: 250,
      });
    }
    // A lookup by the partner's id finds nobody.
    const byPartner = await call("/v1/partners/ssp1/users/puid-O/segments", { headers: S2S });
    expect(((await byPartner.json()) as { segments: string[] }).segments).toEqual([]);
  });

  it("a later declaration or match does not bring the person back (tombstones)", async () => {
    const p = await person("T");
    const erase = await call(`/v1/users/${p.uid}`, { method: "DELETE", headers: S2S });
    expect(await erase.json()).toEqual({ erased: true });
    expect(await leftBehind(p, "T")).toEqual([]);
    // The browser still holds the person's cookie: a partner's match finds a tombstone.
    const match = await call("/v1/match?partner=ssp1&puid=puid-T2", { headers: { Cookie: p.cookie } });
    expect(match.headers.get("X-Udn-Match")).toBe("erased");
    expect(await env.PROFILES.get("a:ssp1:puid-T2")).toBeNull();
    // A new browser declaring the erased id joins nobody, and no new person is minted for it.
    const fresh = await browser("EraseTFreshBrowser0000");
    await postEvents(fresh, [carView("T9")]);
    const again = await identify(fresh, { sha256_email: p.email });
    expect(await again.res.json()).toEqual({ identified: false });
    expect(again.cookie).toBe(fresh);
    // Events under the person's cookie are not taken either.
    await postEvents(p.cookie, [carView("T10")]);
    expect((await env.USER_PROFILE.getByName(p.uid).current()).eventsSeen).toBe(0);
    expect(await env.PROFILES.get(`u:${p.uid}`)).toBeNull();
  });

  it("erasing a joined browser's old uid erases its person too", async () => {
    const p = await person("J");
    const erase = await call(`/v1/users/${p.a}`, { method: "DELETE", headers: S2S });
    expect(erase.status).toBe(200);
    expect(await leftBehind(p, "J")).toEqual([]);
    expect((await env.USER_PROFILE.getByName(p.uid).current()).erased).toBe(true);
    expect((await env.USER_PROFILE.getByName(p.b).current()).erased).toBe(true);
  });
});
