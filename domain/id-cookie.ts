/** Our two cookies as a request's Cookie header carries them: which `udn_id` counts, and whether the browser opted out. */

export const ID_COOKIE = "udn_id";
export const OPTOUT_COOKIE = "udn_optout";
/** Chromium caps cookie lifetime at 400 days. */
export const ID_MAX_AGE_S = 400 * 86_400;

export interface IdCookies {
  /** The `udn_id` value that counts, unchecked; undefined when there is none. */
  id: string | undefined;
  /** `udn_optout=1`: nothing may be read, stored or set for this browser. */
  optedOut: boolean;
}

/**
 * One header can carry a name twice: a partitioned and an unpartitioned cookie, or one of a parent domain. The first
 * of each name counts, everywhere: browsers send cookies with longer paths first, then older ones first (RFC 6265
 * 5.4), so the first is the most specific and the longest-lived. Values are taken as sent (ours need neither quotes nor
 * percent-encoding, so such a value is not ours and fails its signature check).
 * @example readIdCookies("a=1; udn_id=x.y; udn_id=z.w") // { id: "x.y", optedOut: false }
 */
export function readIdCookies(header: string | undefined): IdCookies {
  let id: string | undefined;
  let optout: string | undefined;
  if (header) {
    for (let at = 0; at < header.length; ) {
      const end = header.indexOf(";", at);
      const stop = end < 0 ? header.length : end;
      const eq = header.indexOf("=", at);
      if (eq >= 0 && eq < stop) {
        const name = header.slice(at, eq).trim();
        if (name === ID_COOKIE && id === undefined) id = header.slice(eq + 1, stop).trim();
        else if (name === OPTOUT_COOKIE && optout === undefined) optout = header.slice(eq + 1, stop).trim();
      }
      at = stop + 1;
    }
  }
  return { id: id || undefined, optedOut: optout === "1" };
}
