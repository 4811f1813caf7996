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

/** @returns {Promise<{ mf: Miniflare, url: URL, workerdPid: () => number | undefined, dispose: () => Promise<void> }>} */
export async function host(scriptPath, { port = 8799, persist, bindings = {} } = {}) {
  if (persist) rmSync(persist, { recursive: true, force: true });
  const all = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions;
  // Only the bindings and runtime settings: the bundle is already built, so module rules do not apply.
  const keep = ["compatibilityDate", "compatibilityFlags", "bindings", "kvNamespaces", "r2Buckets", "durableObjects", "queueProducers", "queueConsumers", "ratelimits", "analyticsEngineDatasets"];
  const workerOptions = Object.fromEntries(keep.filter((k) => all[k] !== undefined).map((k) => [k, all[k]]));
  // Miniflare 5 takes a new options shape; the converter accepts the v4 one that wrangler produces.
  const mf = new Miniflare(convertV4MiniflareOptions({
    host: "127.0.0.1",
    port,
    // Without a persist root Miniflare keeps storage in memory: no fsync on this machine's disk in the
    // measured path, which production's replicated storage does not have either.
    ...(persist ? { defaultPersistRoot: persist } : {}),
    workers: [
      {
        ...workerOptions,
        name: "udn-edge",
        modules: true,
        scriptPath,
        bindings: { ...workerOptions.bindings, ...readDevVars(), ...bindings },
      },
    ],
  }));
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
