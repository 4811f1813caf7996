/** The ad tag's entry: finds its edge from its own script URL, installs `window.udn` and replays what the page queued before. */
import { replay } from "./command-queue";
import { createApi, type Warn } from "./udn-api";

const warn: Warn = (message, detail, error) => {
  try {
    console[error ? "error" : "warn"](`[udn] ${message}`, detail === undefined ? "" : detail);
  } catch {
    // A page that replaced console still gets a working tag.
  }
};

try {
  const w = window as unknown as Window & { udn?: unknown };
  // currentScript is only set while this script first runs, async or not: read it before anything else.
  const me = document.currentScript as HTMLScriptElement | null;
  const src = me?.src || (document.querySelector('script[src*="/v1/tag.js"]') as HTMLScriptElement | null)?.src;
  const queued = w.udn as { track?: unknown } | undefined;
  if (!src) warn("cannot tell which edge served the tag");
  // Loaded twice: the first copy keeps its state and the page's queue.
  else if (!queued?.track) {
    const api = createApi(new URL(src).origin, w, warn);
    w.udn = api;
    replay(queued, api as never, warn);
  }
} catch (e) {
  warn("could not start", e);
}
