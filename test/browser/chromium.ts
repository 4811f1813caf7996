/** Which Chromium the browser tests drive: CHROMIUM_PATH, else a system Chromium, else the headless shell shipped in @sparticuz/chromium. */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import packaged, { inflate } from "@sparticuz/chromium";

export interface ChosenChromium {
  path: string;
  /** Where the choice came from, for the run's log. */
  source: "CHROMIUM_PATH" | "system" | "@sparticuz/chromium";
  /** Variables the browser process needs on top of the test process's own. */
  env: Record<string, string>;
  /** What the binary says with --version. */
  version: string;
}

// Debian's and Ubuntu's names; any other install is one CHROMIUM_PATH away.
const SYSTEM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

const runnable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Picks the browser and checks that it starts. The packaged shell is unpacked to the system's temp
 * directory on first use (~2 s, 200 MB) and found there afterwards.
 */
export async function chooseChromium(): Promise<ChosenChromium> {
  const chosen = await locate();
  try {
    const { stdout } = await promisify(execFile)(chosen.path, ["--version"], { env: { ...process.env, ...chosen.env }, timeout: 30_000 });
    return { ...chosen, version: stdout.trim() };
  } catch (err) {
    // The package trusts any file at its unpack path, so a copy cut short by an interrupted first run stays broken.
    const hint =
      chosen.source === "@sparticuz/chromium" ? ` If an earlier unpack was interrupted, delete ${chosen.path} and run again.` : "";
    throw new Error(`Chromium (${chosen.source}) at ${chosen.path} does not start: ${String(err)}.${hint}`);
  }
}

async function locate(): Promise<Omit<ChosenChromium, "version">> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return { path: fromEnv, source: "CHROMIUM_PATH", env: {} };
  const system = SYSTEM_PATHS.find(runnable);
  if (system) return { path: system, source: "system", env: {} };
  const path = await packaged.executablePath();
  // The shell links against NSS, NSPR and expat, which a bare machine may lack. The package ships them for
  // Amazon Linux and unpacks them only there; they are taken from it everywhere, so the packaged path needs
  // nothing from the system beyond glibc and libgcc (checked with the system's copies hidden). Fonts too.
  const bin = join(dirname(createRequire(import.meta.url).resolve("@sparticuz/chromium")), "..", "bin");
  const libs = join(await inflate(join(bin, "al2023.tar.br")), "lib");
  const ldPath = [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return { path, source: "@sparticuz/chromium", env: { LD_LIBRARY_PATH: ldPath, FONTCONFIG_PATH: join(tmpdir(), "fonts") } };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Chosen once by the global setup; the test files launch it. */
    chromium: ChosenChromium;
  }
}
