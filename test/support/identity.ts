/** Partners, browsers and declared ids for the identity tests: drives the Worker as pages and partners do. */
import { env } from "cloudflare:workers";
import { signUid } from "../../worker/identity/signed-ids";
import { OTHER_VENDOR } from "./consent-builders";
import { ADMIN, call, cookieFrom } from "./helpers";

/** A partner whose vendor (OTHER_VENDOR) is in the test vendor list, so TC strings can allow or deny it apart from us. */
export const SSP = {
  id: "ssp1",
  gvlid: OTHER_VENDOR,
  syncUrl: "https://sync.ssp1.example/setuid?udn={UDN_ID}&gdpr={GDPR}&gdpr_consent={GDPR_CONSENT}&back={MATCH_URL}",
  redirectHosts: ["sync.ssp1.example"],
  eids: { source: "ssp1.example", atype: 1 },
};

let version = 0;

/** Replaces the partner document (its version always grows). */
export async function putPartners(partners: unknown[] = [SSP]): Promise<Response> {
  version = Math.max(version, Date.now()) + 1;
  return call("/v1/admin/partners", { method: "PUT", headers: ADMIN, body: JSON.stringify({ version, partners }) });
}

/** A browser's cookie for `uid`, signed as the edge signs it. */
export async function browser(uid: string): Promise<string> {
  return `udn_id=${await signUid(uid, env.UID_SECRET)}`;
}

/** SHA-256 hex, as a page hashes an address before declaring it. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Declares an id from a browser; returns the answer and the browser's cookie afterwards (the new one when set). */
export async function identify(cookie: string, body: unknown, query = ""): Promise<{ res: Response; cookie: string }> {
  const res = await call(`/v1/identify${query}`, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "text/plain" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { res, cookie: cookieFrom(res, "udn_id") ?? cookie };
}

/** The uid a `udn_id=` cookie carries. */
export function uidOf(cookie: string): string {
  return cookie.slice("udn_id=".length).split(".")[0]!;
}
