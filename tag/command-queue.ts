/** The page's command queue: `window.udn = window.udn || []` holds calls made before the tag ran; they run in order once it has. */

/** `udn.push(function (udn) { … })` or `udn.push(["track", "view", { … }])`. */
export type Command = ((api: object) => unknown) | [string, ...unknown[]];

/** Runs one command; a command the tag does not know, or one that throws, is reported and skipped. */
export function runCommand(api: Record<string, unknown>, cmd: unknown, warn: (message: string, detail?: unknown) => void): void {
  try {
    if (typeof cmd === "function") cmd(api);
    else if (Array.isArray(cmd) && typeof cmd[0] === "string" && cmd[0] !== "push" && typeof api[cmd[0]] === "function") {
      (api[cmd[0]] as (...args: unknown[]) => unknown)(...cmd.slice(1));
    } else warn("unknown command", cmd);
  } catch (e) {
    // The page's own function threw: say so, but one bad command must not stop the rest.
    warn("a queued command threw", e);
  }
}

/** Runs what was queued before the tag loaded. */
export function replay(queue: unknown, api: Record<string, unknown>, warn: (message: string, detail?: unknown) => void): void {
  if (Array.isArray(queue)) for (const cmd of queue) runCommand(api, cmd, warn);
}
