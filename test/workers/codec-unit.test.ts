import { describe, expect, it } from "vitest";
import { parseDuration } from "../../worker/duration";
import { newUid, signUid, UID_PATTERN, verifyUid } from "../../worker/identity";
import { decodeProfile, encodeProfile, type Profile } from "../../worker/profile-record";

describe("profile record", () => {
  it("round-trips segments grouped by taxonomy, at id length plus one byte each", () => {
    const p: Profile = { ts: 1700000000123, segments: [{ id: "806", taxonomy: 4 }, { id: "rt-1" }, { id: "607", taxonomy: 4 }] };
    const text = encodeProfile(p);
    expect(text).toBe("1|1700000000123|4:806,607;:rt-1");
    expect(decodeProfile(text)).toEqual({ ts: p.ts, segments: [{ id: "806", taxonomy: 4 }, { id: "607", taxonomy: 4 }, { id: "rt-1" }] });
    expect(decodeProfile(encodeProfile({ ts: 5, segments: [] }))).toEqual({ ts: 5, segments: [] });
  });
  it("refuses records of another format version", () => {
    expect(decodeProfile("2|5|4:1")).toBeUndefined();
    expect(decodeProfile("garbage")).toBeUndefined();
  });
});

describe("signed ids", () => {
  it("mints 128-bit ids and verifies their signature with the current or previous secret", async () => {
    const uid = newUid();
    expect(uid).toMatch(UID_PATTERN);
    expect(newUid()).not.toBe(uid);
    const old = await signUid(uid, "old-secret");
    expect(await verifyUid(old, ["new-secret", "old-secret"])).toBe(uid);
    expect(await verifyUid(old, ["new-secret"])).toBeUndefined();
  });
  it("rejects tampered, truncated and oversized values", async () => {
    const value = await signUid(newUid(), "k");
    const other = newUid();
    for (const bad of [`${other}${value.slice(22)}`, value.slice(0, -1), `${value}A`, "", ".", "x".repeat(200)]) {
      expect(await verifyUid(bad, ["k"])).toBeUndefined();
    }
  });
});

describe("durations", () => {
  it("parses s, m, h and d up to 400 days", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("400d")).toBe(400 * 86_400_000);
    for (const bad of ["401d", "0d", "7w", "d", "1.5h", 7, "-1d"]) expect(parseDuration(bad)).toBeUndefined();
  });
});
