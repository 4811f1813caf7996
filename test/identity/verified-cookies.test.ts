/** The verified-cookie memo at its bound: the oldest go, the dropped are checked again. */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { signUid, verifyCookie } from "../../worker/identity/signed-ids";
import { verifiedCookies } from "../../worker/isolate";
import { usableUidSecrets } from "../../worker/settings";
import { call } from "../support/helpers";

const bound = verifiedCookies.maxEntries;
afterEach(() => {
  verifiedCookies.maxEntries = bound;
});

describe("verified-cookie memo", () => {
  it("stays at its bound by dropping its oldest entries, not by emptying", async () => {
    verifiedCookies.maxEntries = 3;
    const values: string[] = [];
    for (let i = 0; i < 6; i++) {
      const value = await signUid(`MemoBoundUser${String(i).padStart(9, "0")}`, env.UID_SECRET);
      values.push(value);
      await call("/v1/segments", { headers: { Cookie: `udn_id=${value}` } });
      expect(verifiedCookies.size()).toBe(Math.min(i + 1, 3));
    }
    const _secrets = usableUidSecrets(env);
    expect(values.map((v) => verifiedCookies.get(v) !== undefined)).toEqual([false, false, false, true, true, true]);
    // A dropped browser is checked again, and remembered again, in place of the then oldest.
    await call("/v1/segments", { headers: { Cookie: `udn_id=${values[0]}` } });
    expect(values.map((v) => verifiedCookies.get(v) !== undefined)).toEqual([true, false, false, false, true, true]);
  });

  it("keeps the newest entries through thousands of drops, and after its bound shrinks", async () => {
    verifiedCookies.maxEntries = 5;
    const secrets = usableUidSecrets(env);
    const values = await Promise.all(
      Array.from({ length: 3_000 }, (_, i) => signUid(`MemoChurnUser${String(i).padStart(9, "0")}`, env.UID_SECRET)),
    );
    for (const v of values) expect(verifyCookie(v, secrets)).toBeDefined();
    const remembered = () => values.filter((v) => verifiedCookies.get(v) !== undefined);
    expect(remembered()).toEqual(values.slice(-5));
    verifiedCookies.maxEntries = 2;
    const newest = await signUid("MemoChurnUserLast00000", env.UID_SECRET);
    verifyCookie(newest, secrets);
    expect(verifiedCookies.size()).toBe(2);
    expect([...remembered(), ...(verifiedCookies.get(newest) ? [newest] : [])]).toEqual([values.at(-1), newest]);
  });
});
