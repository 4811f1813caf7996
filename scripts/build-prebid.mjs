#!/usr/bin/env node
// Builds a publisher's Prebid.js bundle from the prebid.js npm package with Prebid's real-time-data module and
// ours (prebid/udn-rtd-provider.ts), plus the bid adapters named. Prints our module's own gzipped size and fails
// above its budget. Usage: node scripts/build-prebid.mjs [--modules appnexusBidAdapter,rubiconBidAdapter] [--out file] [--demo]
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const OUT = "dist/prebid/prebid.js";
/** What our module may add to a publisher's Prebid bundle, gzipped: Prebid providers run on every page. */
export const MODULE_GZIP_BUDGET = 2.5 * 1024;
/** Modules every bundle gets: consent (TCF, US Privacy) with Prebid's TCF enforcement, and real-time data. */
const CORE_MODULES = ["consentManagementTcf", "tcfControl", "consentManagementUsp", "rtdModule"];
const PROVIDER = resolve("prebid/udn-rtd-provider.ts");
const DEMO_ADAPTERS = resolve("demo/prebid/recording-bid-adapter.ts");
// Prebid's own bundles target the browsers in its browserslist; ES2018 is what our tag targets too.
const TARGET = "es2018";

/** Our module alone, Prebid's core left out: the bytes it adds to a publisher's bundle. */
async function moduleSize() {
  const result = await build({
    entryPoints: [PROVIDER],
    bundle: true,
    minify: true,
    format: "esm",
    target: TARGET,
    write: false,
    legalComments: "none",
    plugins: [
      {
        name: "prebid-core-external",
        setup: (b) => b.onResolve({ filter: /prebid\.js\/dist\// }, (a) => ({ path: a.path, external: true })),
      },
    ],
  });
  const js = result.outputFiles[0].text;
  return { bytes: js.length, gzipped: gzipSync(js, { level: 9 }).length };
}

/**
 * @param {{ modules?: string[], out?: string, demo?: boolean, quiet?: boolean }} [options]
 *   modules: Prebid module names as in `prebid.js/modules/<name>` (bid adapters, id modules, …);
 *   demo: adds the demo's two recording bid adapters (`alpha`, `beta`)
 */
export async function buildPrebid({ modules = [], out = OUT, demo = false, quiet = false } = {}) {
  const size = await moduleSize();
  if (!quiet) console.log(`udnRtdProvider: ${size.bytes} bytes, ${size.gzipped} bytes gzipped (budget ${MODULE_GZIP_BUDGET})`);
  if (size.gzipped > MODULE_GZIP_BUDGET)
    throw new Error(`udnRtdProvider is ${size.gzipped} bytes gzipped, over the ${MODULE_GZIP_BUDGET}-byte budget`);
  const imports = [...CORE_MODULES, ...modules].map((m) => `import "prebid.js/modules/${m}";`);
  const entry = [
    'import pbjs from "prebid.js";',
    ...imports,
    `import ${JSON.stringify(PROVIDER)};`,
    ...(demo ? [`import ${JSON.stringify(DEMO_ADAPTERS)};`] : []),
    // Runs what the page queued on pbjs.que and installs the modules (Prebid's documented npm usage).
    "pbjs.processQueue();",
  ].join("\n");
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "js", sourcefile: "prebid-entry.js" },
    bundle: true,
    minify: true,
    format: "iife",
    target: TARGET,
    write: false,
    legalComments: "none",
  });
  const js = result.outputFiles[0].text;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, js);
  const gz = gzipSync(js, { level: 9 }).length;
  if (!quiet)
    console.log(
      `${out}: ${js.length} bytes, ${gz} bytes gzipped (Prebid ${modules.length ? `+ ${modules.join(", ")}` : "core"}${demo ? " + demo adapters" : ""})`,
    );
  return { module: size, bundle: { bytes: js.length, gzipped: gz } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  try {
    await buildPrebid({
      modules: (arg("--modules") ?? "").split(",").filter(Boolean),
      out: arg("--out") ?? OUT,
      demo: process.argv.includes("--demo"),
    });
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
