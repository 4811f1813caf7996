// Reads a .dev.vars-style file (NAME="value" lines) into an object: the local secrets scripts and tests use.
import { readFileSync } from "node:fs";

/** @returns {Record<string, string>} */
export function readDevVars(path = ".dev.vars.example") {
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)="?(.*?)"?$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}
