// Drives a URL with wrk (1 thread, 4 connections) from a request file and returns rps and latencies.
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";

export function ensureWrk() {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (e) {
    if (e.code !== "ENOENT") return;
    console.error("installing wrk (Debian package) ...");
    execFileSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq wrk"], { stdio: "inherit" });
  }
}

/** A request line of wrk's request file (bench/requests.lua). */
export const get = (path, cookie) => `GET\t${path}\t${cookie ? `Cookie: ${cookie}` : "-"}\t-`;

/** @param lines TSV rows: method, path, headers ("Name: value" joined by " || ", or "-"), body ("-" for none) */
export function writeRequests(path, lines) {
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

function wrkArgs(baseUrl, requestFile, { seconds = 10, connections = 4, auth, start = 0 } = {}) {
  return [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    "--timeout",
    "5s",
    "-s",
    "bench/requests.lua",
    String(baseUrl),
    "--",
    requestFile,
    auth ?? "-",
    String(start),
  ];
}

/** The CPU wrk runs on once `pinLoad` was called: the load generator then never takes the server's core. */
let loadCpu;

/** From now on wrk runs on this CPU only (the bench pins workerd to the other: see miniflare-host.mjs `pin`). */
export function pinLoad(cpu) {
  loadCpu = cpu;
}

export function wrk(baseUrl, requestFile, opts = {}) {
  const args = wrkArgs(baseUrl, requestFile, opts);
  const [cmd, argv] = loadCpu === undefined ? ["wrk", args] : ["taskset", ["-c", String(loadCpu), "wrk", ...args]];
  return summary(execFileSync(cmd, argv, { encoding: "utf8", maxBuffer: 1 << 24 }));
}

/** The same, without blocking: for several loads at once (the soak). */
export function wrkAsync(baseUrl, requestFile, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", wrkArgs(baseUrl, requestFile, opts));
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", () => {
      try {
        resolve(summary(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function summary(out) {
  const line = out.split("\n").find((l) => l.startsWith("UDN_BENCH "));
  if (!line) throw new Error(`wrk printed no summary:\n${out}`);
  const s = JSON.parse(line.slice("UDN_BENCH ".length));
  return {
    rps: Math.round((s.requests / s.duration_us) * 1e6),
    p50_ms: s.p50_us / 1000,
    p99_ms: s.p99_us / 1000,
    requests: s.requests,
    errors: s.socket_errors + s.non2xx,
    // Which kind: a socket error is most often wrk's 5 s timeout; non2xx counts answers of status 400 and above.
    socket_errors: s.socket_errors,
    non2xx: s.non2xx,
  };
}
