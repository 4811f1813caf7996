// Event ingestion benchmark: beacons accepted at the edge per second, and applied in the users' objects, vs the control.
import { readFileSync } from "node:fs";
import { clientIp, cookieFor, uidFor } from "./ids.mjs";
import { writeRequests, wrk } from "./wrk.mjs";

const USERS = Number(process.env.BENCH_EVENT_USERS ?? 1_000);
const LINES = 60_000;

/**
 * One run of `lines` beacons over wrk, then the wait until the users' objects applied them all.
 * @param uids the users the lines go to, in turn (for the applied count)
 */
async function run(url, name, uids, lines, seconds, control) {
  const started = performance.now();
  const r = wrk(url, writeRequests(`dist/bench/events-${name}.tsv`, lines), { seconds });
  if (r.requests > lines.length) console.error(`warning: the ${name} events run wrapped around its lines; repeated ids were deduplicated`);
  const accepted = Math.min(r.requests - r.errors, lines.length);
  let applied = 0;
  while (performance.now() - started < (seconds + 120) * 1000) {
    const res = await fetch(new URL("/__bench/applied", url), { method: "POST", body: JSON.stringify(uids) });
    applied = (await res.json()).applied;
    if (applied >= accepted) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  const appliedSeconds = (performance.now() - started) / 1000;
  return {
    accepted_rps: r.rps,
    accepted_ratio_to_control: +(r.rps / control.rps).toFixed(3),
    p50_ms: r.p50_ms,
    p99_ms: r.p99_ms,
    accepted,
    applied,
    applied_per_s: Math.round(applied / appliedSeconds),
    applied_ratio_to_control: +(applied / appliedSeconds / control.rps).toFixed(3),
    seconds_until_all_applied: +appliedSeconds.toFixed(1),
    errors: r.errors,
  };
}

/** A wrk line: one view beacon of the user whose cookie it carries. */
const beacon = (id, cookie, i) =>
  `POST\t/v1/events\tContent-Type: text/plain || Cookie: ${cookie} || CF-Connecting-IP: ${clientIp(i)}\t${JSON.stringify({
    events: [{ id, type: "view", props: { category: "auto", url: "/cars/suv" } }],
  })}`;

/** Sends each beacon once, `concurrency` at a time, from Node: beacons per second. */
async function drive(url, beacons, concurrency = 4) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < beacons.length) {
      const b = beacons[next++];
      const res = await fetch(new URL("/v1/events", url), {
        method: "POST",
        headers: { "Content-Type": "text/plain", Cookie: b.cookie, "CF-Connecting-IP": b.ip },
        body: b.body,
      });
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Math.round(beacons.length / ((performance.now() - started) / 1000));
}

/** Miniflare keeps every object it created open (two files each), so a cold run stays well under the process's file limit. */
const COLD_USERS = Number(process.env.BENCH_COLD_USERS ?? 4_000);

/**
 * The wrk run: USERS users in turn, after a first pass that brought every object into memory, as returning users'
 * page views are. Then warm against cold with one driver, each beacon sent once: COLD_USERS beacons of users already
 * in memory, and COLD_USERS of new users, each of whose beacons creates its object (a first sighting).
 */
export async function eventsBench(host, secrets, control) {
  const url = host.url;
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  await fetch(new URL("/v1/admin/segments", url), {
    method: "PUT",
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
    body: readFileSync("demo/segments.json"),
  });
  const uids = Array.from({ length: USERS }, (_, i) => uidFor(`ev-${i}`));
  const cookies = uids.map((u) => cookieFor(u, secrets.UID_SECRET));
  await run(
    url,
    "warmup",
    uids,
    uids.map((_, i) => beacon(`w${i}`, cookies[i], i)),
    2,
    control,
  );
  const warm = await run(
    url,
    "warm",
    uids,
    Array.from({ length: LINES }, (_, i) => beacon(`e${i}`, cookies[i % USERS], i)),
    seconds,
    control,
  );
  const body = (id) => JSON.stringify({ events: [{ id, type: "view", props: { category: "auto", url: "/cars/suv" } }] });
  const warmBeacons = Array.from({ length: COLD_USERS }, (_, i) => ({ cookie: cookies[i % USERS], ip: clientIp(i), body: body(`d${i}`) }));
  const coldBeacons = Array.from({ length: COLD_USERS }, (_, i) => ({
    cookie: cookieFor(uidFor(`ev-cold-${i}`), secrets.UID_SECRET),
    ip: clientIp(i),
    body: body(`c${i}`),
  }));
  const warmRps = await drive(url, warmBeacons);
  const coldRps = await drive(url, coldBeacons);
  return {
    ...warm,
    objects_warm_vs_cold: {
      beacons: COLD_USERS,
      concurrency: 4,
      warm_rps: warmRps,
      cold_rps: coldRps,
      cold_ratio_to_warm: +(coldRps / warmRps).toFixed(3),
    },
  };
}
