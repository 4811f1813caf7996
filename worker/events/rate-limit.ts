/** Rate limits on event collection, per browser and per client IP, with the Workers rate-limiting bindings. */
import { errorText, logEvent } from "../../domain/log";

export type Limited = "browser" | "ip";

/** The IP as a limiting key; an IPv6 client controls its whole /64, so that is what is counted. */
export function ipKey(ip: string): string {
  if (!ip.includes(":")) return `ip:${ip}`;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `ip6:${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}`;
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
  const [byBrowser, byIp] = await Promise.all([
    uid ? allowed(env.EVENTS_PER_BROWSER, `u:${uid}`) : true,
    ip ? allowed(env.EVENTS_PER_IP, ipKey(ip)) : true,
  ]);
  if (!byBrowser) return "browser";
  return byIp ? null : "ip";
}
