#!/usr/bin/env node
// Consent bench: CPU per consent decision for a normal TC string and the costliest TC and GPP strings within the
// edge's limits, against the maintained IAB decoder's TCString.decode of the same costliest TC string (the control).
// Runs in Node (V8, as workerd): process.cpuUsage over many decisions, median of rounds. Adds "consent" to bench/results.json.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median, round3 } from "./rounds.mjs";

const outfile = "dist/bench/consent-cases.mjs";
const contents = `
export { decideConsent } from "./domain/consent/decide";
export { encodeTcString, gppString } from "./test/support/consent-builders";
export { worstTcString, worstGppString } from "./test/support/adversarial-consent";
export { TCString } from "@iabtechlabtcf/core";`;
await build({
  stdin: { contents, resolveDir: ".", loader: "ts" },
  bundle: true,
  platform: "node",
  format: "esm",
  outfile,
  logLevel: "warning",
});
const m = await import(pathToFileURL(outfile).href);

/** Any vendor and wrangler.toml's purposes: the costliest strings name every vendor id and give those purposes consent. */
const policy = { vendorId: 1234, purposes: [1, 3, 4] };
const normal = m.encodeTcString(1234, { vendors: [1234], purposes: [1, 3, 4] });
const normalGpp = m.gppString({ usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } });
const worstTc = m.worstTcString(policy.purposes);
const worstGpp = m.worstGppString(policy.purposes);

/** µs of CPU per call: `rounds` rounds of `n` calls, the median round. */
function cpuPerCall(fn, n, rounds) {
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const { user, system } = process.cpuUsage(t);
    perRound.push((user + system) / n);
  }
  return round3(median(perRound));
}

const decide = (signals) => () => {
  if (m.decideConsent({ gpc: false, ...signals }, policy).allowed !== true) throw new Error("the bench's strings must be allowed");
};
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  lengths: { normalTc: normal.length, worstTc: worstTc.length, normalGpp: normalGpp.length, worstGpp: worstGpp.length },
  cpu_us_per_decision: {
    normalTc: cpuPerCall(decide({ gdpr: "1", gdprConsent: normal }), 5000, 21),
    worstTc: cpuPerCall(decide({ gdpr: "1", gdprConsent: worstTc }), 500, 21),
    normalGpp: cpuPerCall(decide({ gpp: normalGpp, gppSid: "7" }), 5000, 21),
    worstGpp: cpuPerCall(decide({ gpp: worstGpp }), 500, 21),
  },
  // The control: seconds per call, so few calls.
  control_us_per_decode: { iabtechlabtcfWorstTc: cpuPerCall(() => m.TCString.decode(worstTc), 1, 3) },
};
console.log(JSON.stringify(result, null, 2));
const path = "bench/results.json";
const all = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
all.consent = result;
writeFileSync(path, `${JSON.stringify(all, null, 2)}\n`);
console.log(`written to ${path} (key "consent")`);
