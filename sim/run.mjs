// Runs a simulation or model written in TypeScript: bundles its entry with esbuild, calls main(), writes the files it returns.

import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error("usage: node sim/run.mjs <entry.ts> [args]");
const outfile = `dist/sim/${basename(entry, ".ts")}-${entry.split("/").at(-2)}.mjs`;
await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile, logLevel: "warning" });
const { main } = await import(pathToFileURL(outfile).href);
const read = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};
const { stdout, files } = await main(args, read);
for (const [path, text] of Object.entries(files)) {
  writeFileSync(path, text);
  console.error(`wrote ${path}`);
}
process.stdout.write(stdout);
