/** Rate limits on event collection, per browser and per client IP, with the Workers rate-limiting bindings. */
import { errorText, logEvent } from "../../domain/log";

export type Limited = "browser" | "ip";

/** The groups of an IPv6 address, `::` expanded, leading zeros dropped. */
function ip6Groups(ip: string): string[] {
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return groups.map((g) => g.replace(/^0+(?=.)/, ""));
}

/**
 * The IP as limiting keys: an IPv4 address itself; for IPv6 the /64 a client controls whole (counted by
 * EVENTS_PER_IP) and the /48 a site holds (EVENTS_PER_NET), so rotating through a site's /64s gains nothing.
 */
export function ipKeys(ip: string): { ip: string; net?: string } {
  if (!ip.includes(":")) return { ip: `ip:${ip}` };
  const g = ip6Groups(ip);
  return { ip: `ip6:${g.slice(0, 4).join(":")}`, net: `ip6-48:${g.slice(0, 3).join(":")}` };
}

async function allowed(limiter: RateLimit, key: string): Promise<boolean> {
  try {
    return (await limiter.limit({ key })).success;
  } catch (e) {
    // The limiter is a guard, not a dependency: when it fails, events are still taken.
    logEvent("warn", "rate limiter failed", { error: errorText(e) });
    return true;
  }
}

/**
 * @param uid the browser's uid, or null when nothing will be stored for it (only the IP is counted then)
 * @param ip `CF-Connecting-IP`, which Cloudflare sets and clients cannot; absent only outside Cloudflare
 * @returns which limit the request exceeds, or null
 */
export async function eventsLimited(env: Env, uid: string | null, ip: string | undefined): Promise<Limited | null> {
  const keys = ip ? ipKeys(ip) : undefined;
  const [byBrowser, byIp, byNet] = await Promise.all([
    uid ? allowed(env.EVENTS_PER_BROWSER, `u:${uid}`) : true,
    keys ? allowed(env.EVENTS_PER_IP, keys.ip) : true,
    keys?.net ? allowed(env.EVENTS_PER_NET, keys.net) : true,
  ]);
  if (!byBrowser) return "browser";
  return byIp && byNet ? null : "ip";
}
