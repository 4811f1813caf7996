// `npm run bench:profile -- <kind>`: one lookup kind under load with the edge isolate's V8 CPU profiler on; prints where its time goes.
import { mkdirSync, writeFileSync } from "node:fs";
import { readDevVars } from "../scripts/dev-vars.mjs";
import { cookieFor, uidFor } from "./ids.mjs";
import { connectIsolate } from "./isolate-heap.mjs";
import { seed } from "./lookup-bench.mjs";
import { build, host } from "./miniflare-host.mjs";
import { ensureWrk, get, writeRequests, wrk } from "./wrk.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const USERS = 20_000;
const kind = process.argv[2] ?? "kv_path";
const secret = readDevVars().UID_SECRET;
const users = Array.from({ length: USERS }, (_, i) => uidFor(`profile-${i}`));
/** Each kind's requests, as the bench sends them (lookup-bench.mjs). */
const KINDS = {
  healthz: () => [get("/healthz")],
  cached_known: () => [get("/v1/segments", cookieFor(users[0], secret))],
  kv_path: () => users.map((u) => get("/v1/segments", cookieFor(u, secret))),
  bare_kv_get: () => users.map((u) => get(`/__bench/kv?uid=${u}`)),
};
if (!KINDS[kind]) throw new Error(`kind must be one of ${Object.keys(KINDS).join(", ")}`);

ensureWrk();
mkdirSync("dist/bench", { recursive: true });
const h = await host(build("bench/bench-worker.ts", "bench"), { inspectorPort: 9259, port: 8797 });
const edge = await connectIsolate(9259, "udn-edge", () => fetch(new URL("/healthz", h.url)).then((r) => r.arrayBuffer()));
try {
  await seed(h.url, users);
  const file = writeRequests(`dist/bench/profile-${kind}.tsv`, KINDS[kind]());
  if (kind === "healthz" || kind === "cached_known") wrk(h.url, file, { seconds: 2 });
  await edge.call("Profiler.enable");
  await edge.call("Profiler.setSamplingInterval", { interval: 100 });
  await edge.call("Profiler.start");
  const load = wrk(h.url, file, { seconds: SECONDS });
  const { profile } = await edge.call("Profiler.stop");
  writeFileSync(`dist/bench/profile-${kind}.cpuprofile`, JSON.stringify(profile));
  report(kind, load, profile);
} finally {
  edge.close();
  await h.dispose();
}

/** Self time per request by function; "busy" leaves out the samples where the isolate was idle or outside JS ("(program)"). */
function report(kind, load, profile) {
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFn = new Map();
  let busy = 0;
  for (const node of profile.nodes) {
    const us = dt.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || "(anonymous)"} ${url ? `${url.split("/").pop()}:${lineNumber + 1}` : ""}`.trim();
    byFn.set(name, (byFn.get(name) ?? 0) + us);
    if (functionName !== "(idle)" && functionName !== "(program)") busy += us;
  }
  const per = (us) => +(us / load.requests).toFixed(1);
  console.log(`${kind}: ${load.rps} rps, ${load.requests} requests; isolate JS busy ${per(busy)} µs/request (excl. idle and (program))`);
  const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 30));
  for (const [name, us] of top) console.log(`${String(per(us)).padStart(8)} µs/req  ${name}`);
}
