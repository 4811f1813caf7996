/** How the module reaches the ad tag on the page (`window.udn`): the page view's one profile, its updates, and opt-out. */

/** The tag's API as this module uses it (tag/udn-api.ts). */
interface TagApi {
  profile(): Promise<unknown>;
  optout(): Promise<boolean>;
}

interface TagWindow {
  udn?: { push(cmd: (api: TagApi) => unknown): unknown } | unknown[];
}

/** Runs `fn` with the tag's API, now or once the tag has loaded (its queue, `window.udn`, works before it does). */
function withTag(win: Window, fn: (api: TagApi) => unknown): void {
  const w = win as Window & TagWindow;
  const queue = (w.udn ??= []) as { push(cmd: (api: TagApi) => unknown): unknown };
  queue.push(fn);
}

/** The page view's profile in the edge's `page` form (the tag makes one request for the page; null when unreadable). */
export function tagProfile(win: Window): Promise<unknown> {
  return new Promise((resolve) => withTag(win, (api) => api.profile().then(resolve, () => resolve(null))));
}

/** Calls `fn` with each newer profile the tag learns (a lookup, or the answer to the user's own events). */
export function onTagProfile(win: Window, fn: (page: unknown) => void): void {
  win.addEventListener("udn:profile", (e) => fn((e as CustomEvent).detail));
}

/** Opts the browser out at the edge through the tag, from this page (where a partitioned id lives). */
export function tagOptout(win: Window): void {
  withTag(win, (api) => api.optout());
}

/** The origin the page's tag came from, if there is a tag on the page. */
export function tagOrigin(doc: Document): string | undefined {
  const src = doc.querySelector<HTMLScriptElement>('script[src*="/v1/tag.js"]')?.src;
  return src ? new URL(src).origin : undefined;
}
