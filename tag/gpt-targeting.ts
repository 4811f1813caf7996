/** Page-level key-values for Google Publisher Tag, kept within GPT's limits, set through `googletag.cmd`. */

const MAX_KEY = 10;
const MAX_VALUE = 40;
/** Spaces and the characters GPT forbids in keys and values. */
const FORBIDDEN = /[\s"'=!+#*~;^()<>[\]]/;

export type Targeting = Record<string, string[]>;

/** Keeps keys of 1-10 characters not starting with a digit and values of 1-40 characters, none with a forbidden character. */
export function gptTargeting(kv: unknown): Targeting {
  const out: Targeting = {};
  if (!kv || typeof kv !== "object") return out;
  for (const [k, v] of Object.entries(kv)) {
    if (!k || k.length > MAX_KEY || /^\d/.test(k) || FORBIDDEN.test(k)) continue;
    out[k] = (Array.isArray(v) ? v : [v])
      .filter((x): x is string | number => typeof x === "string" || typeof x === "number")
      .map(String)
      .filter((x) => x && x.length <= MAX_VALUE && !FORBIDDEN.test(x));
  }
  return out;
}

interface PubAds {
  setTargeting(key: string, value: string[]): unknown;
  clearTargeting(key: string): unknown;
}

export interface GptWindow {
  googletag?: { cmd?: { push(fn: () => void): unknown }; pubads?(): PubAds };
}

/**
 * Queues the targeting on `googletag.cmd`, which GPT runs once it has loaded (or at once if it has).
 * A key with no value is cleared, so a segment the user lost stops being sent.
 */
export function pushTargeting(win: GptWindow, targeting: Targeting): void {
  const g = (win.googletag = win.googletag || {});
  g.cmd = g.cmd || [];
  g.cmd.push(() => {
    const ads = g.pubads!();
    for (const [k, v] of Object.entries(targeting)) {
      if (v.length) ads.setTargeting(k, v);
      else ads.clearTargeting(k);
    }
  });
}
