/** The raw event log: every accepted event in the EVENTS bucket exactly once, with its consent signals. */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import { tcString } from "../support/consent-strings";
import { readLog } from "../support/event-log-reader";
import { call, S2S, view } from "../support/helpers";

const uidOf = (i: number) => `L${String(i).padStart(21, "0")}`;

describe("raw event log", () => {
  it("writes every accepted event once, in batches, ordered, with its consent signals; skips opted-out browsers and those without consent; logs opt-outs and erasures", async () => {
    const consent = tcString();
    const cookies = await Promise.all(Array.from({ length: 20 }, async (_, i) => `udn_id=${await signUid(uidOf(i), env.UID_SECRET)}`));
    // Odd browsers send a TC string granting our purposes; even ones send no signal at all.
    const posts = cookies.flatMap((cookie, i) =>
      [0, 1, 2].map((r) =>
        call(`/v1/events${i % 2 ? `?gdpr=1&gdpr_consent=${consent}` : ""}`, {
          method: "POST",
          headers: { "Content-Type": "text/plain", Cookie: cookie },
          body: JSON.stringify({ events: [view(`e${r}a`, { category: "auto" }), view(`e${r}b`, { url: "/cars/x" })] }),
        }),
      ),
    );
    const pixels = cookies.map((cookie) => call("/v1/px.gif?type=view&id=px1&category=news", { headers: { Cookie: cookie } }));
    const optedOut = call("/v1/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: "udn_optout=1" },
      body: JSON.stringify({ events: [view("never", {})] }),
    });
    // Global Privacy Control and a TC string refusing our vendor: accepted, but nothing may be stored or logged.
    const refused = [
      call("/v1/events", {
        method: "POST",
        headers: { "Content-Type": "text/plain", Cookie: `udn_id=${await signUid(uidOf(90), env.UID_SECRET)}`, "Sec-GPC": "1" },
        body: JSON.stringify({ events: [view("never", {})] }),
      }),
      call(`/v1/events?gdpr=1&gdpr_consent=${tcString({ vendors: [] })}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain", Cookie: `udn_id=${await signUid(uidOf(91), env.UID_SECRET)}` },
        body: JSON.stringify({ events: [view("never", {})] }),
      }),
    ];
    const responses = await Promise.all([...posts, ...pixels, optedOut, ...refused]);
    expect(responses.every((r) => r.status < 300)).toBe(true);
    await call("/v1/optout", { method: "POST", headers: { Cookie: cookies[3]! } });
    await call(`/v1/users/${uidOf(4)}`, { method: "DELETE", headers: S2S });

    const expected = 20 * 3 * 2 + 20 + 2;
    let log: Awaited<ReturnType<typeof readLog>> = [];
    await vi.waitFor(
      async () => {
        log = await readLog();
        expect(log.reduce((n, o) => n + o.lines.length, 0)).toBe(expected);
      },
      { timeout: 20_000, interval: 250 },
    );

    const lines = log.flatMap((o) => o.lines);
    const pairs = new Set(lines.map((l) => `${l.uid}/${l.id}`));
    expect(pairs.size).toBe(expected); // nothing twice
    for (let i = 0; i < 20; i++)
      for (const id of ["e0a", "e0b", "e1a", "e1b", "e2a", "e2b", "px1"]) expect(pairs.has(`${uidOf(i)}/${id}`)).toBe(true);
    expect(lines.some((l) => l.id === "never")).toBe(false);
    // Batched: far fewer objects than requests.
    expect(log.length).toBeLessThan(10);
    for (const { key, lines: ls } of log) {
      expect(key).toMatch(/^events\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}\/\d{13}-[0-9a-f]{12}\.ndjson\.gz$/);
      const first = ls[0]!.received;
      expect(key).toContain(`/${String(first).padStart(13, "0")}-`);
      expect(key).toContain(new Date(first).toISOString().slice(0, 10));
      ls.forEach((l, j) => j && expect(l.received).toBeGreaterThanOrEqual(ls[j - 1]!.received));
    }
    const posted = lines.find((l) => l.uid === uidOf(1) && l.id === "e0a")!;
    expect(posted).toMatchObject({ type: "view", props: { category: "auto" }, gdpr: "1", gdpr_consent: consent });
    expect(Object.keys(posted).sort()).toEqual(["gdpr", "gdpr_consent", "id", "props", "received", "ts", "type", "uid"]);
    const plain = lines.find((l) => l.uid === uidOf(0) && l.id === "e0a")!;
    expect(Object.keys(plain).sort()).toEqual(["id", "props", "received", "ts", "type", "uid"]);
    expect(lines.find((l) => l.uid === uidOf(2) && l.id === "px1")).toMatchObject({ type: "view", props: { category: "news" } });
    expect(lines.filter((l) => l.type === "optout").map((l) => l.uid)).toEqual([uidOf(3)]);
    expect(lines.filter((l) => l.type === "erase").map((l) => l.uid)).toEqual([uidOf(4)]);
  }, 30_000);
});
