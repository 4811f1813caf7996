/** Per-isolate state: each piece filled by real requests, and every one emptied by resetIsolate(). */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import * as isolate from "../../worker/isolate";
import { call, postEvents, S2S, view } from "../support/helpers";

/** How much a piece of per-isolate state holds, by its kind; a kind this does not know fails the test. */
function held(name: string, value: unknown): number {
  if (value instanceof Map) return value.size;
  if (typeof value === "function") return 0;
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (typeof v.size === "function") return (v.size as () => number).call(value);
    if (typeof v.snapshot === "function") return (v.snapshot as () => { entries: number }).call(value).entries;
    if (name === "counters") return Object.values(v).reduce<number>((n, x) => n + Number(x), 0);
    if (name === "eventLog") return v.open ? 1 : 0;
    if (name === "verifiedUnder") return v.secrets ? 1 : 0;
    if (name === "acceptedTokens") return 0; // a WeakMap: replaced whole by the reset, checked below
    if (name === "uidKeys") return (v.checking as Map<string, unknown>).size + (v.signing as Map<string, unknown>).size;
    if (name === "clock") return (v.now as () => number)() === Date.now() ? 0 : 1;
  }
  throw new Error(`isolate.ts exports ${name}, which this test does not know how to inspect: teach it, and resetIsolate()`);
}

describe("worker/isolate.ts", () => {
  it("holds state after traffic, and resetIsolate() empties every piece of it", async () => {
    const cookie = `udn_id=${await signUid("IsolateStateUser000000", env.UID_SECRET)}`;
    await call("/v1/segments", { headers: { Cookie: cookie } });
    await call("/v1/segments?gdpr=1&gdpr_consent=x", { headers: { Cookie: cookie } });
    await call("/v1/users/IsolateStateUser000000/segments", { headers: S2S });
    // A cached answer from the hot path, which keeps its header set.
    await call("/v1/segments", { headers: { Cookie: cookie } });
    await postEvents(cookie, [view("iso-1", { url: "/cars/a" })]);
    const before = Object.fromEntries(Object.entries(isolate).map(([name, value]) => [name, held(name, value)]));
    for (const name of ["profileCache", "verifiedCookies", "consentDecisions", "uidKeys", "answerHeaders", "counters"]) {
      expect(before[name], name).toBeGreaterThan(0);
    }
    const tokens = isolate.acceptedTokens.byKeys;

    isolate.resetIsolate();
    for (const [name, value] of Object.entries(isolate)) expect(held(name, value), name).toBe(0);
    expect(isolate.acceptedTokens.byKeys).not.toBe(tokens);
  });
});
