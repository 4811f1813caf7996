// Runs a built Worker in Miniflare (one workerd, the bindings of wrangler.toml) on a loopback port for load tests.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { readDevVars } from "../scripts/dev-vars.mjs";

/** Builds `entry` with wrangler (same bundler and config as a deploy) into dist/<name>. */
export function build(entry, name) {
  execFileSync("npx", ["wrangler", "deploy", entry, "--dry-run", "--outdir", `dist/${name}`], { stdio: ["ignore", "ignore", "inherit"] });
  return `dist/${name}/${entry.split("/").pop().replace(/\.ts$/, ".js")}`;
}

/** The worker that hosts the Durable Objects when they are kept out of the edge isolate. */
export const OBJECTS_WORKER = "udn-objects";

/**
 * @param {string} scriptPath the built bundle
 * @param {{ port?: number, persist?: string, storage?: string, bindings?: Record<string, string>, inspectorPort?: number,
 *   objectsApart?: boolean, edges?: number, onLog?: (log: { level: string, message: string }) => void }} [options]
 *   storage: a folder holding the local resources, as wrangler keeps them (`<persist-to>/v3`), kept as it is.
 *   objectsApart: workerd runs every class a worker exports in that worker's one isolate, so the objects
 *   would share the edge's heap; apart, they run from the same bundle in a second worker, as in production
 *   they run wherever each object lives. edges: more than one runs that many copies of the edge, `udn-edge-1`… beside
 *   `udn-edge`, each its own isolate, as the isolates of one location (they share KV and the Cache API; the objects
 *   are kept apart). onLog: workerd's log lines, instead of printing them.
 * @returns {Promise<{ mf: Miniflare, url: URL, workerdPid: () => number | undefined, dispose: () => Promise<void> }>}
 */
export async function host(
  scriptPath,
  { port = 8799, persist, storage, bindings = {}, inspectorPort, objectsApart = false, edges = 1, onLog } = {},
) {
  if (persist) rmSync(persist, { recursive: true, force: true });
  const all = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions;
  // Only the bindings and runtime settings: the bundle is already built, so module rules do not apply.
  const keep = [
    "compatibilityDate",
    "compatibilityFlags",
    "bindings",
    "kvNamespaces",
    "r2Buckets",
    "durableObjects",
    "queueProducers",
    "queueConsumers",
    "ratelimits",
    "analyticsEngineDatasets",
  ];
  const workerOptions = Object.fromEntries(keep.filter((k) => all[k] !== undefined).map((k) => [k, all[k]]));
  const edge = {
    ...workerOptions,
    name: "udn-edge",
    modules: true,
    scriptPath,
    bindings: { ...workerOptions.bindings, ...readDevVars(), ...bindings },
  };
  const apart = { ...edge, durableObjects: elsewhere(edge.durableObjects) };
  // Further edges consume no queues: one consumer per queue, as in a deployment.
  const { queueConsumers: _consumers, ...consuming } = apart;
  const copies = Array.from({ length: edges - 1 }, (_, i) => ({ ...consuming, name: `udn-edge-${i + 1}` }));
  const workers = objectsApart || edges > 1 ? [apart, ...copies, objectsWorker(edge)] : [edge];
  // Miniflare 5 takes a new options shape; the converter accepts the v4 one that wrangler produces.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port,
      // workerd's own inspector (one target per worker, `core:user:<name>`): the soak reads heaps there.
      ...(inspectorPort !== undefined ? { inspectorPort } : {}),
      ...(onLog ? { handleStructuredLogs: onLog } : {}),
      // Without a persist root Miniflare keeps storage in memory: no fsync on this machine's disk in the
      // measured path, which production's replicated storage does not have either.
      ...(persist ? { defaultPersistRoot: persist } : {}),
      ...(storage ? { resourcePersistencePath: storage } : {}),
      workers,
    }),
  );
  const url = await mf.ready;
  return {
    mf,
    url,
    /** Miniflare's workerd (a child of this process): its memory bounds the isolate's. */
    workerdPid() {
      try {
        return Number(execFileSync("pgrep", ["-n", "-P", String(process.pid), "workerd"], { encoding: "utf8" }).trim()) || undefined;
      } catch {
        return undefined;
      }
    },
    dispose: () => mf.dispose(),
  };
}

/** The same bindings, each object class hosted by the objects worker. */
function elsewhere(durableObjects = {}) {
  return Object.fromEntries(Object.entries(durableObjects).map(([name, d]) => [name, { ...d, scriptName: OBJECTS_WORKER }]));
}

/** The bundle once more, hosting the objects: the edge's bindings (objects call KV, R2, queues), no queue consumers. */
function objectsWorker({ queueConsumers: _consumers, ...edge }) {
  return { ...edge, name: OBJECTS_WORKER };
}

/**
 * Pins every thread of a process to one CPU (taskset, util-linux), so that on a 2-core machine the server has a
 * core of its own and the load generator the other: without it the two trade places and each run's figure
 * moves with the scheduler. @returns whether it could
 */
export function pin(pid, cpu) {
  try {
    execFileSync("taskset", ["-a", "-cp", String(cpu), String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system) a process has used, in ms, from /proc: clock ticks of 10 ms. */
export function cpuMs(pid) {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid) {
  if (!pid) return null;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
}
