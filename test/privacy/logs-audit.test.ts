/// <reference types="vite/types/importMeta.d.ts" />
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { redact } from "../../domain/log";
import { signUid } from "../../worker/identity/signed-ids";
import worker from "../../worker/index";
import { BASE, view } from "../support/helpers";
import { publishVersion } from "../support/origin";

const UID = "Q".repeat(22);
const IP = "203.0.113.99";
const IP6 = "2001:db8:abcd:12::7";
const SECRETS = [env.UID_SECRET, ...env.API_KEYS.split(","), env.ADMIN_TOKEN];

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
});
afterEach(() => vi.restoreAllMocks());

/** The Worker's fetch with some bindings replaced: the faults make the service log. */
async function fetchWith(overrides: Partial<Env>, path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(BASE + path, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function expectClean(): void {
  for (const line of lines) {
    expect(() => JSON.parse(line), line).not.toThrow();
    for (const secret of [UID, IP, IP6, ...SECRETS]) expect(line).not.toContain(secret);
  }
}

/** An error quoting everything a careless message could: the KV key, a client IP, the secrets. */
const leaky = () => new Error(`failed for u:${UID} at ${IP} / ${IP6} key=${env.UID_SECRET} Bearer ${env.ADMIN_TOKEN}`);

describe("log lines", () => {
  it("carry no uid, IP or secret when the object, KV or the rate limiter fail", async () => {
    const cookie = `udn_id=${await signUid(UID, env.UID_SECRET)}`;
    const headers = { "Content-Type": "text/plain", Cookie: cookie, "CF-Connecting-IP": IP };
    const body = JSON.stringify({ events: [view("l1", {})] });
    const failingObject = { getByName: () => ({ track: () => Promise.reject(leaky()) }) } as unknown as Env["USER_PROFILE"];
    const failingQueue = { send: () => Promise.reject(leaky()) } as unknown as Queue;
    expect(
      (await fetchWith({ USER_PROFILE: failingObject, EVENT_RETRY_QUEUE: failingQueue }, "/v1/events", { method: "POST", headers, body }))
        .status,
    ).toBe(202);
    const failingLimiter = { limit: () => Promise.reject(leaky()) } as unknown as RateLimit;
    expect((await fetchWith({ EVENTS_PER_IP: failingLimiter }, "/v1/events", { method: "POST", headers, body })).status).toBe(202);
    const failingKv = { get: () => Promise.reject(leaky()) } as unknown as KVNamespace;
    // A lookup answers degraded rather than failing; an admin read of the rules has no such fallback.
    const uncached = `udn_id=${await signUid("L".repeat(22), env.UID_SECRET)}`;
    const lookup = await fetchWith({ PROFILES: failingKv }, "/v1/segments", { headers: { Cookie: uncached } });
    expect(lookup.status).toBe(200);
    expect(lookup.headers.get("X-UDN-Degraded")).toBe("kv-error");
    const res = await fetchWith({ PROFILES: failingKv }, "/v1/admin/segments", { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "internal error" });
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      "events lost: object and retry queue both failed",
      "rate limiter failed",
      "unhandled error",
    ]);
    expectClean();
  });

  it("carry no secret when UID_SECRET is unusable, and the browser is not identified then", async () => {
    const res = await fetchWith({ UID_SECRET: "short" }, "/v1/segments", {});
    expect(await res.json()).toEqual({ segments: [], ts: 0 });
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expect(lines).toHaveLength(1);
    expectClean();
  });

  it("carry no uid from the sync tier, even when a slice fails", async () => {
    await publishVersion(1, [[{ uid: UID, segments: ["607"] }]]);
    await env.ORIGIN.delete("batches/v1/part-0.ndjson");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    await vi.waitFor(() => expect(lines.some((l) => /sync (step failed|part rejected)/.test(l))).toBe(true), {
      timeout: 10_000,
      interval: 50,
    });
    expect(lines.some((l) => l.includes("sync started"))).toBe(true);
    expectClean();
  });

  it("are all written through the redacting logger", () => {
    const sources = import.meta.glob(
      ["../../domain/**/*.ts", "../../platform/**/*.ts", "../../worker/**/*.ts", "../../durable/**/*.ts", "../../sync/**/*.ts"],
      {
        query: "?raw",
        import: "default",
        eager: true,
      },
    );
    const offenders = Object.entries(sources).filter(
      ([path, text]) => !path.endsWith("/domain/log.ts") && /\bconsole\./.test(text as string),
    );
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    expect(offenders.map(([p]) => p)).toEqual([]);
  });

  it("redact keys, IPs, bearer tokens and id-like runs", () => {
    expect(redact(`put u:${UID} failed`)).toBe("put u:<uid> failed");
    expect(redact(`from ${IP} and ${IP6}`)).toBe("from <ip> and <ip>");
    expect(redact("Authorization: Bearer dev-admin-token")).toBe("Authorization: Bearer<redacted>");
    expect(redact(`id ${UID}.${"s".repeat(43)}`)).not.toContain(UID);
    expect(redact("Durable Object is overloaded")).toBe("Durable Object is overloaded");
  });
});
