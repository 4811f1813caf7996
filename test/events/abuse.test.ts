/** Limits on event collection and on every request: per browser, IP and /64, and URL, header, cookie and body sizes. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signUid } from "../../worker/identity/signed-ids";
import { ADMIN, call, putSegments, S2S, view } from "../support/helpers";

const cookie = async (uid: string) => `udn_id=${await signUid(uid, env.UID_SECRET)}`;
/** The binding counts in windows aligned to the clock, so a burst may straddle two: 2 × limit + 1 requests exceed it in one of them. */
const BROWSER_LIMIT = 20;
const IP_LIMIT = 600;

function beacon(headers: Record<string, string>, id: string) {
  return call("/v1/events", {
    method: "POST",
    headers: { "Content-Type": "text/plain", ...headers },
    body: JSON.stringify({ events: [view(id, {})] }),
  });
}

async function errorOf(res: Response): Promise<string> {
  expect(res.headers.get("Content-Type")).toContain("application/json");
  return ((await res.json()) as { error: string }).error;
}

describe("event rate limits", () => {
  it("limits one browser's event requests with a 429 JSON error, storing nothing from a limited request", async () => {
    const uid = "R".repeat(22);
    const c = await cookie(uid);
    let accepted = 0;
    let limited: Response | undefined;
    for (let i = 0; i < 2 * BROWSER_LIMIT + 1; i++) {
      // A new IP each time: only the browser limit can apply.
      const res = await beacon({ Cookie: c, "CF-Connecting-IP": `198.51.100.${i}` }, `r${i}`);
      if (res.status === 202) {
        accepted++;
        await res.body?.cancel();
      } else {
        await limited?.body?.cancel();
        limited = res;
      }
    }
    expect(limited?.status).toBe(429);
    expect(limited?.headers.get("Retry-After")).toBe("10");
    expect(await errorOf(limited!)).toBe("too many event requests from this browser; retry later");
    expect(accepted).toBeLessThanOrEqual(2 * BROWSER_LIMIT);
    expect((await env.USER_PROFILE.getByName(uid).current()).eventsSeen).toBe(accepted);
  });

  it("limits one IP address across browsers, and not its neighbours", async () => {
    let limited: Response | undefined;
    // Opted-out browsers store nothing, so this measures the IP limit alone, quickly.
    for (let i = 0; i < 2 * IP_LIMIT + 1 && !limited; i++) {
      const res = await beacon({ Cookie: "udn_optout=1", "CF-Connecting-IP": "203.0.113.7" }, `i${i}`);
      if (res.status === 429) limited = res;
      else await res.body?.cancel();
    }
    expect(await errorOf(limited!)).toBe("too many event requests from this IP address; retry later");
    expect((await beacon({ Cookie: "udn_optout=1", "CF-Connecting-IP": "203.0.113.8" }, "other")).status).toBe(202);
  });

  it("counts an IPv6 client's whole /64 as one address", { timeout: 30_000 }, async () => {
    let limited = false;
    for (let i = 0; i < 2 * IP_LIMIT + 1 && !limited; i++) {
      const res = await beacon({ Cookie: "udn_optout=1", "CF-Connecting-IP": `2001:db8:7:7::${i.toString(16)}` }, `v${i}`);
      limited = res.status === 429;
      await res.body?.cancel();
    }
    expect(limited).toBe(true);
    expect((await beacon({ Cookie: "udn_optout=1", "CF-Connecting-IP": "2001:db8:7:8::1" }, "next-net")).status).toBe(202);
  });

  it("still answers the pixel's GIF when limited, without recording the event", async () => {
    const uid = "S".repeat(22);
    const c = await cookie(uid);
    for (let i = 0; i < 2 * BROWSER_LIMIT + 1; i++) {
      const res = await call(`/v1/px.gif?type=view&id=s${i}`, { headers: { Cookie: c, "CF-Connecting-IP": `198.51.100.${i}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/gif");
      await res.body?.cancel();
    }
    expect((await env.USER_PROFILE.getByName(uid).current()).eventsSeen).toBeLessThanOrEqual(2 * BROWSER_LIMIT);
  });
});

describe("size limits", () => {
  it("rejects an oversized URL, Cookie header or header set with 414/431 JSON, before anything happens", async () => {
    const uid = "T".repeat(22);
    const c = await cookie(uid);
    const cases: [string, RequestInit, number, string][] = [
      [`/v1/segments?gdpr_consent=${"A".repeat(9000)}`, {}, 414, "URL is longer than 8192 bytes"],
      ["/v1/segments", { headers: { Cookie: `${c}; big=${"x".repeat(9000)}` } }, 431, "Cookie header is larger than 8192 bytes"],
      [
        "/v1/segments",
        { headers: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x-pad-${i}`, "y".repeat(4000)])) },
        431,
        "request headers are larger than 16384 bytes",
      ],
      [
        "/v1/lookup",
        { method: "POST", headers: { ...S2S, "Content-Length": String(300_000) }, body: "x" },
        413,
        "body is larger than 262144 bytes",
      ],
    ];
    for (const [path, init, status, error] of cases) {
      const res = await call(path, init);
      expect(res.status, error).toBe(status);
      expect(await errorOf(res)).toBe(error);
      expect(res.headers.get("Set-Cookie")).toBeNull();
    }
    // The pixel answers its GIF even then, and records nothing.
    const px = await call(`/v1/px.gif?type=view&id=t1&p=${"x".repeat(9000)}`, { headers: { Cookie: c } });
    expect(px.status).toBe(200);
    expect(px.headers.get("Content-Type")).toBe("image/gif");
    await px.body?.cancel();
    expect((await env.USER_PROFILE.getByName(uid).current()).eventsSeen).toBe(0);
  });

  it("caps bodies sent without Content-Length (chunked) at each endpoint's limit", async () => {
    await putSegments();
    const stream = (size: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent < size; sent += 4096) controller.enqueue(new Uint8Array(4096).fill(32));
          controller.close();
        },
      });
    const cases: [string, RequestInit, string][] = [
      [
        "/v1/events",
        { method: "POST", headers: { "Content-Type": "application/json" }, body: stream(20_000) },
        "body is larger than 16384 bytes",
      ],
      ["/v1/lookup", { method: "POST", headers: S2S, body: stream(20_000) }, "body is larger than 16384 bytes"],
      ["/v1/admin/segments", { method: "PUT", headers: ADMIN, body: stream(300_000) }, "body is larger than 262144 bytes"],
    ];
    for (const [path, init, error] of cases) {
      const res = await call(path, { ...init, duplex: "half" } as RequestInit);
      expect(res.status, path).toBe(413);
      expect(await errorOf(res)).toBe(error);
    }
  });

  it("rejects a body that is not UTF-8", async () => {
    const res = await call("/v1/lookup", { method: "POST", headers: S2S, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("body is not valid UTF-8");
  });
});
