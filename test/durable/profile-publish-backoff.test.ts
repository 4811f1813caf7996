/** A user's object whose KV writes fail: it retries by its alarm, backing off, and publishes once KV is back. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PUBLISH_BACKOFF_CAP_MS, publishDelay } from "../../durable/publish-backoff";
import type { UserProfile } from "../../durable/user-profile";
import { putSegments, view } from "../support/helpers";

const HOUR = 3_600_000;
type Stub = DurableObjectStub<UserProfile>;

/** KV for one object: reads go to the real namespace; writes fail while `down`, and each is counted with its time. */
interface Outage {
  down: boolean;
  writes: number[];
}

async function withOutage(stub: Stub, clock: { at: number }): Promise<Outage> {
  const outage: Outage = { down: true, writes: [] };
  await runInDurableObject(stub, (o: UserProfile) => {
    o.now = () => clock.at;
    const inner = o as unknown as { env: Env };
    const real = inner.env.PROFILES;
    const write =
      (name: "put" | "delete") =>
      (key: string, ...rest: unknown[]) => {
        outage.writes.push(clock.at);
        if (outage.down) return Promise.reject(new Error("injected: KV is unavailable"));
        return (real[name] as (...a: unknown[]) => Promise<unknown>).call(real, key, ...rest);
      };
    const kv = { get: real.get.bind(real), put: write("put"), delete: write("delete") };
    inner.env = { ...inner.env, PROFILES: kv as unknown as KVNamespace };
  });
  return outage;
}

/** Fires the object's alarms in order, moving its clock to each, until `until`; @returns how many fired. */
async function runAlarmsUntil(stub: Stub, clock: { at: number }, until: number, max = 500): Promise<number> {
  let fired = 0;
  while (fired < max) {
    const at = await runInDurableObject(stub, (_o: UserProfile, state) => state.storage.getAlarm());
    if (at === null || at > until) break;
    clock.at = Math.max(clock.at, at);
    await runDurableObjectAlarm(stub);
    fired++;
  }
  return fired;
}

describe("publishing while KV fails", () => {
  it("backs off exponentially to a cap through a long outage, keeps it across a restart, and publishes once KV is back", async () => {
    await putSegments();
    const uid = "kv-outage-1";
    const stub = env.USER_PROFILE.getByName(uid);
    const t0 = Date.now();
    const clock = { at: t0 };
    const outage = await withOutage(stub, clock);

    const r = await stub.track(uid, [view("o1", { url: "/cars/a" })]);
    expect(r.profile.segments).not.toEqual([]);
    expect(outage.writes).toEqual([t0]);

    // Half an hour in, the object restarts: its in-memory state goes, the failure count stays in storage.
    const half = await runAlarmsUntil(stub, clock, t0 + HOUR / 2);
    await runInDurableObject(stub, (o: UserProfile) => (o as unknown as { reset(): void }).reset());
    const rest = await runAlarmsUntil(stub, clock, t0 + 3 * HOUR);

    // Three hours of outage: the gaps double from a second up to the cap, then stay there.
    const gaps = outage.writes.slice(1).map((t, i) => t - outage.writes[i]!);
    expect(gaps.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(publishDelay));
    expect(new Set(gaps.slice(9))).toEqual(new Set([PUBLISH_BACKOFF_CAP_MS]));
    // About log2(cap / 1 s) + outage / cap attempts, not one a second (10,800).
    const bound = Math.ceil(Math.log2(PUBLISH_BACKOFF_CAP_MS / 1_000)) + Math.ceil((3 * HOUR) / PUBLISH_BACKOFF_CAP_MS) + 2;
    expect(outage.writes.length).toBeLessThanOrEqual(bound);
    expect(half + rest).toBeLessThanOrEqual(bound);
    expect(await env.PROFILES.get(`u:${uid}`)).toBeNull();

    // KV is back: the next attempt, at most a cap later, publishes, and the following change waits only the interval.
    outage.down = false;
    const back = clock.at;
    await runAlarmsUntil(stub, clock, back + PUBLISH_BACKOFF_CAP_MS);
    expect(clock.at - back).toBeLessThanOrEqual(PUBLISH_BACKOFF_CAP_MS);
    expect(await env.PROFILES.get(`u:${uid}`)).toBe(`1|${r.profile.ts}|4:244`);
    expect((await stub.current()).published).toBe(`1|${r.profile.ts}|4:244`);
  });
});
