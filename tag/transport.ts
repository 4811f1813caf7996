/** Delivers an event body: `sendBeacon` as text/plain, else (or when the answer is wanted) `fetch` with keepalive while the 64 KiB keepalive budget allows. */
import { utf8Bytes } from "./event-batch";

/** Browsers let all keepalive requests in flight carry 64 KiB together. */
export const KEEPALIVE_BUDGET = 64 * 1024;

export type Via = "beacon" | "keepalive" | "fetch";

interface BeaconNavigator {
  sendBeacon?(url: string, data: string): boolean;
}

/**
 * A string body makes both transports send `text/plain;charset=UTF-8`, a CORS-safelisted type: the
 * beacon goes out without a preflight and the edge reads it as JSON.
 */
export function createTransport(nav: BeaconNavigator, doFetch: (url: string, init: RequestInit) => Promise<unknown>) {
  let inFlight = 0;
  /** `onAnswer` wants the edge's answer, which a beacon cannot give: fetch it is; it gets undefined when the fetch fails. */
  return (url: string, body: string, onAnswer?: (res: unknown) => void): Via => {
    try {
      // false = the browser refused it (keepalive budget spent, or beacons disabled).
      if (!onAnswer && nav.sendBeacon?.(url, body)) return "beacon";
    } catch {
      // A browser that throws on sendBeacon still has fetch.
    }
    const size = utf8Bytes(body);
    const keepalive = inFlight + size <= KEEPALIVE_BUDGET;
    if (keepalive) inFlight += size;
    const done = (res?: unknown) => {
      if (keepalive) inFlight -= size;
      onAnswer?.(res);
    };
    doFetch(url, { method: "POST", body, credentials: "include", keepalive }).then(done, () => done());
    return keepalive ? "keepalive" : "fetch";
  };
}
