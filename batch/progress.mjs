/** Progress of a long run on stderr: a line when a stage starts, and while reading at most one every few seconds. */

/** @param {{ quiet?: boolean, write?: (line: string) => void, everyMs?: number, now?: () => number }} [options] */
export function createProgress({ quiet = false, write = (l) => process.stderr.write(`${l}\n`), everyMs = 2000, now = Date.now } = {}) {
  let last = 0;
  return {
    /** A new stage: always shown. */
    stage(text) {
      if (!quiet) write(`batch: ${text}`);
      last = now();
    },
    /** Within a stage: shown when `everyMs` has passed since the last line. */
    tick(text) {
      if (quiet || now() - last < everyMs) return;
      write(`batch:   ${text}`);
      last = now();
    },
  };
}
