/** The tag's transport: sendBeacon, then keepalive fetch within its budget, then plain fetch; fetch whenever the answer is wanted. */
import { describe, expect, it, vi } from "vitest";
import { createTransport, KEEPALIVE_BUDGET } from "../../tag/transport";

const body = (bytes: number) => "x".repeat(bytes);

describe("the transport", () => {
  it("sends with sendBeacon when the browser takes it", () => {
    const beacon = vi.fn(() => true);
    const doFetch = vi.fn(() => Promise.resolve());
    expect(createTransport({ sendBeacon: beacon }, doFetch)("https://edge/v1/events", "{}")).toBe("beacon");
    expect(beacon).toHaveBeenCalledWith("https://edge/v1/events", "{}");
    expect(doFetch).not.toHaveBeenCalled();
  });

  it("falls back to fetch with keepalive and credentials when the beacon is refused or missing", () => {
    const doFetch = vi.fn((_url: string, _init: RequestInit) => Promise.resolve());
    expect(createTransport({ sendBeacon: () => false }, doFetch)("https://edge/v1/events", "{}")).toBe("keepalive");
    expect(createTransport({}, doFetch)("https://edge/v1/events", "{}")).toBe("keepalive");
    const thrower = () => {
      throw new TypeError("beacons disabled");
    };
    expect(createTransport({ sendBeacon: thrower }, doFetch)("https://edge/v1/events", "{}")).toBe("keepalive");
    expect(doFetch.mock.calls[0]).toEqual([
      "https://edge/v1/events",
      { method: "POST", body: "{}", credentials: "include", keepalive: true },
    ]);
  });

  it("keeps keepalive requests in flight within the 64 KiB budget and frees it when they finish", async () => {
    const finish: (() => void)[] = [];
    const doFetch = vi.fn(() => new Promise<void>((r) => finish.push(r)));
    const send = createTransport({ sendBeacon: () => false }, doFetch);
    const part = 16 * 1024;
    expect([send("u", body(part)), send("u", body(part)), send("u", body(part)), send("u", body(part))]).toEqual([
      "keepalive",
      "keepalive",
      "keepalive",
      "keepalive",
    ]);
    expect(4 * part).toBe(KEEPALIVE_BUDGET);
    // Over budget: a plain fetch, which a browser would otherwise reject outright.
    expect(send("u", body(1))).toBe("fetch");
    finish[0]!();
    await Promise.resolve();
    await Promise.resolve();
    expect(send("u", body(part))).toBe("keepalive");
  });

  it("fetches when the caller wants the answer, handing it the response, or undefined when the fetch fails", async () => {
    const beacon = vi.fn(() => true);
    const answers: unknown[] = [];
    const ok = createTransport({ sendBeacon: beacon }, () => Promise.resolve("the response"));
    expect(ok("u", "{}", (r) => answers.push(r))).toBe("keepalive");
    const failing = createTransport({ sendBeacon: beacon }, () => Promise.reject(new TypeError("Failed to fetch")));
    expect(failing("u", "{}", (r) => answers.push(r))).toBe("keepalive");
    await new Promise((r) => setTimeout(r, 0));
    expect(beacon).not.toHaveBeenCalled();
    expect(answers.sort()).toEqual(["the response", undefined]);
  });

  it("never lets a failed fetch reject into the page", async () => {
    const send = createTransport({}, () => Promise.reject(new TypeError("Failed to fetch")));
    expect(send("u", "{}")).toBe("keepalive");
    await new Promise((r) => setTimeout(r, 0));
  });
});
