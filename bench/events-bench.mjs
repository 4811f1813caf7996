// Event ingestion benchmark: beacons accepted at the edge per second, and applied in the users' objects, vs the control.
import { readFileSync } from "node:fs";
import { clientIp, cookieFor, uidFor } from "./ids.mjs";
import { writeRequests, wrk } from "./wrk.mjs";

const USERS = Number(process.env.BENCH_EVENT_USERS ?? 1_000);
const LINES = 60_000;

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
  const lines = Array.from({ length: LINES }, (_, i) => {
    const body = JSON.stringify({ events: [{ id: `e${i}`, type: "view", props: { category: "auto", url: "/cars/suv" } }] });
    return `POST\t/v1/events\tContent-Type: text/plain || Cookie: ${cookies[i % USERS]} || CF-Connecting-IP: ${clientIp(i)}\t${body}`;
  });
  const started = performance.now();
  const r = wrk(url, writeRequests("dist/bench/events.tsv", lines), { seconds });
  if (r.requests > LINES) console.error("warning: the events run wrapped around its lines; repeated ids were deduplicated");
  const accepted = Math.min(r.requests - r.errors, LINES);
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
