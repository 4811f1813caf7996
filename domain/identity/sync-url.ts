/** A partner's sync URL with its macros filled: our id, the request's consent strings and where to send their id back. */
import type { ConsentSignals } from "../consent/signals";
import type { Partner } from "./partners";

/** The macros' values (each URL-encoded where it lands); absent signals fill in as empty. */
export function fillSyncUrl(partner: Partner, uid: string, signals: ConsentSignals, matchUrl: string): string {
  const values: Record<string, string | undefined> = {
    UDN_ID: uid,
    GDPR: signals.gdpr,
    GDPR_CONSENT: signals.gdprConsent,
    GPP: signals.gpp,
    GPP_SID: signals.gppSid,
    US_PRIVACY: signals.usPrivacy,
    MATCH_URL: matchUrl,
  };
  return partner.syncUrl.replace(/\{([A-Z_]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ""));
}

/** Our `/v1/match` URL for the partner, ending in `puid=` for the partner to append its id. */
export function matchUrl(origin: string, partner: string): string {
  return `${origin}/v1/match?partner=${encodeURIComponent(partner)}&puid=`;
}
