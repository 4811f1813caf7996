/** Cookie matching with partners: `/v1/match` (a partner sends its id for our browser) and `/v1/sync` (we send ours to a partner). */
import { type Context, Hono } from "hono";
import { checkedPuid, knownPartner, type Partner, redirectAllowed } from "../../domain/identity/partners";
import { fillSyncUrl, matchUrl } from "../../domain/identity/sync-url";
import { UdnError } from "../../domain/input-error";
import { errorText, logEvent } from "../../domain/log";
import { partnerConfig } from "../../platform/partner-store";
import { userProfile } from "../../platform/stubs";
import { eventsLimited } from "../events/rate-limit";
import { pixelGif } from "../events/routes";
import { CONSENT_HEADER } from "../http/cors";
import type { AppEnv } from "../http/hono-env";
import { clock, profileCache } from "../isolate";
import { partnerAllowed } from "../privacy/partner-consent";
import { type Browser, resolveBrowser } from "./resolve-browser";

/** Seconds a limited client should wait, as for events. */
const RETRY_AFTER_S = 10;

type Refusal = "no-id" | "denied" | "opted-out";

/**
 * The browser's uid when both we and the partner may use it: a known cookie (a match or sync never mints an id: one the
 * browser does not keep would match nobody), our consent, and the partner's own (its vendor id, purpose 1).
 */
function syncable(c: Context<AppEnv>, partner: Partner): { uid: string; browser: Browser } | Refusal {
  const b = resolveBrowser(c.env, c.req.url, c.req.header("Cookie"), c.req.header("Sec-GPC"));
  if (b.kind === "opted-out") return "opted-out";
  if (b.kind === "denied") {
    c.header(CONSENT_HEADER, `denied; ${b.reason}`);
    return "denied";
  }
  if (b.kind !== "known") return "no-id";
  const allowed = partnerAllowed(b.signals)(partner);
  if (!allowed) c.header(CONSENT_HEADER, `denied; the request's consent does not allow partner ${partner.id} (vendor ${partner.gvlid})`);
  return allowed ? { uid: b.uid, browser: b } : "denied";
}

async function partnerOf(c: Context<AppEnv>): Promise<Partner> {
  return knownPartner(await partnerConfig(c.env.PROFILES, c.executionCtx), c.req.query("partner"));
}

export const partnerSyncRoutes = new Hono<AppEnv>();

/** Inbound: stores the partner's id for our browser, then continues the partner's chain (only where it is allowed to go). */
partnerSyncRoutes.get("/v1/match", async (c) => {
  const partner = await partnerOf(c);
  const puid = checkedPuid(c.req.query("puid"), "puid");
  const next = c.req.query("redirect");
  let redirect: URL | undefined;
  if (next !== undefined) {
    redirect = URL.canParse(next) ? new URL(next) : undefined;
    if (!redirect || !redirectAllowed(redirect, partner.redirectHosts))
      throw new UdnError(400, `redirect must be an https URL on one of partner ${partner.id}'s redirectHosts`);
  }
  c.header("Cache-Control", "no-store");
  const who = syncable(c, partner);
  let outcome: Refusal | "stored" | "erased" = typeof who === "string" ? who : "stored";
  if (typeof who !== "string") {
    if (await eventsLimited(c.env, who.uid, c.req.header("CF-Connecting-IP"))) {
      c.header("Retry-After", String(RETRY_AFTER_S));
      throw new UdnError(429, "too many match requests from this browser or IP address; retry later");
    }
    const linked = await userProfile(c.env, who.uid)
      .linkPartner(who.uid, partner.id, puid)
      .catch((e: unknown) => {
        // Nothing was stored: the partner's chain stops here, and its next sync stores the id.
        logEvent("error", "partner id could not be stored", { partner: partner.id, error: errorText(e) });
        throw new UdnError(503, "the partner's id could not be stored now; retry");
      });
    outcome = linked.erased ? "erased" : "stored";
    // The browser's next answers in this isolate carry the new id at once, as events' answers do.
    if (!linked.erased) profileCache.set(who.uid, linked.profile, clock.now());
  }
  c.header("X-Udn-Match", outcome);
  if (outcome === "stored" && redirect) return c.redirect(redirect.href, 302);
  return pixelGif(c);
});

/** Outbound: sends the browser to the partner with our id filled in; without a known id or consent, nowhere. */
partnerSyncRoutes.get("/v1/sync", async (c) => {
  const partner = await partnerOf(c);
  c.header("Cache-Control", "no-store");
  const who = syncable(c, partner);
  if (typeof who === "string") {
    c.header("X-Udn-Sync", who);
    return pixelGif(c);
  }
  const origin = new URL(c.req.url).origin;
  return c.redirect(fillSyncUrl(partner, who.uid, who.browser.signals, matchUrl(origin, partner.id)), 302);
});
