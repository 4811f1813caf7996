/** Partners we sync ids with (cookie matching): the admin document, validated (errors name the bad field) and compiled. */
import { UdnError } from "../input-error";

export class PartnerConfigError extends Error {
  override readonly name = "PartnerConfigError";
}

/** How a partner's ids appear in `user.eids`: its id source (a domain) and the id's agent type. */
export interface PartnerEids {
  source: string;
  /** AdCOM agent type: 1 = a browser or device id, 3 = a person-based id. */
  atype: 1 | 3;
}

export interface Partner {
  id: string;
  /** The partner's IAB Global Vendor List id: its own TCF consent is checked before a match or a sync. */
  gvlid: number;
  /** Where `/v1/sync` sends the browser, with macros (docs/contract.md). */
  syncUrl: string;
  /** Hosts `/v1/match` may redirect to and `syncUrl` must be on. */
  redirectHosts: ReadonlySet<string>;
  eids?: PartnerEids;
}

export interface CompiledPartners {
  version: number;
  partners: ReadonlyMap<string, Partner>;
}

export const NO_PARTNERS: CompiledPartners = Object.freeze({ version: 0, partners: new Map() }) as CompiledPartners;

export const PARTNER_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** A partner's id for a user: what sync URLs carry in practice (UUIDs, base64), never a separator of our records (`,` `|` `;` `=`). */
export const PUID = /^[A-Za-z0-9._:+/~-]{1,128}$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/;
const SOURCE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const MAX_PARTNERS = 200;
const MAX_HOSTS = 10;
const MAX_URL = 2048;
/** Our ids a partner may be sent: plain https, or http to the local machine (tests, demos). */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1"]);

function fail(path: string, message: string): never {
  throw new PartnerConfigError(`${path} ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A URL we may send a browser to: https (http only to the local machine) on one of `hosts`. */
export function redirectAllowed(url: URL, hosts: ReadonlySet<string>): boolean {
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname));
  return secure && url.username === "" && url.password === "" && hosts.has(url.host);
}

function compilePartner(raw: unknown, path: string): Partner {
  if (!isObject(raw)) fail(path, "must be an object");
  const { id, gvlid, syncUrl, redirectHosts, eids } = raw;
  if (typeof id !== "string" || !PARTNER_ID.test(id)) fail(`${path}.id`, `must match ${PARTNER_ID.source}`);
  if (typeof gvlid !== "number" || !Number.isInteger(gvlid) || gvlid < 1 || gvlid > 65_535)
    fail(`${path}.gvlid`, "must be the partner's IAB Global Vendor List id (1-65535)");
  if (!Array.isArray(redirectHosts) || redirectHosts.length === 0 || redirectHosts.length > MAX_HOSTS)
    fail(`${path}.redirectHosts`, `must be an array of 1 to ${MAX_HOSTS} hosts`);
  const hosts = new Set(
    redirectHosts.map((h, i) => {
      if (typeof h !== "string" || !HOST.test(h)) fail(`${path}.redirectHosts[${i}]`, "must be a lower-case host name (and port)");
      return h;
    }),
  );
  if (typeof syncUrl !== "string" || syncUrl.length > MAX_URL) fail(`${path}.syncUrl`, `must be a URL of at most ${MAX_URL} characters`);
  let url: URL;
  try {
    url = new URL(syncUrl.replace(/\{[A-Z_]+\}/g, "x"));
  } catch {
    fail(`${path}.syncUrl`, "is not a URL");
  }
  if (!redirectAllowed(url, hosts)) fail(`${path}.syncUrl`, "must be https on one of redirectHosts");
  const unknown = [...syncUrl.matchAll(/\{([A-Z_]+)\}/g)].map((m) => m[1]!).find((m) => !SYNC_MACROS.has(m));
  if (unknown) fail(`${path}.syncUrl`, `has an unknown macro {${unknown}}`);
  const partner: Partner = { id, gvlid, syncUrl, redirectHosts: hosts };
  if (eids !== undefined) {
    if (!isObject(eids)) fail(`${path}.eids`, "must be an object");
    if (typeof eids.source !== "string" || !SOURCE.test(eids.source))
      fail(`${path}.eids.source`, "must be the id's domain, e.g. ssp.example");
    if (eids.atype !== 1 && eids.atype !== 3) fail(`${path}.eids.atype`, "must be 1 (browser or device id) or 3 (person id)");
    partner.eids = { source: eids.source, atype: eids.atype };
  }
  return partner;
}

/** The macros a sync URL may carry. */
export const SYNC_MACROS = new Set(["UDN_ID", "GDPR", "GDPR_CONSENT", "GPP", "GPP_SID", "US_PRIVACY", "MATCH_URL"]);

export function compilePartners(doc: unknown): CompiledPartners {
  if (!isObject(doc)) fail("document", "must be an object");
  const { version, partners } = doc;
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1) fail("version", "must be a positive integer");
  if (!Array.isArray(partners) || partners.length > MAX_PARTNERS) fail("partners", `must be an array of at most ${MAX_PARTNERS}`);
  const byId = new Map<string, Partner>();
  partners.forEach((raw, i) => {
    const p = compilePartner(raw, `partners[${i}]`);
    if (byId.has(p.id)) fail(`partners[${i}].id`, `"${p.id}" is listed twice`);
    byId.set(p.id, p);
  });
  return { version, partners: byId };
}

/** The named partner, or a 404 naming it (cut, so a long value cannot fill the answer). */
export function knownPartner(config: CompiledPartners, id: string | undefined): Partner {
  if (id === undefined || id === "") throw new UdnError(400, "partner is required");
  const p = config.partners.get(id);
  if (!p) throw new UdnError(404, `unknown partner "${id.slice(0, 32)}"`);
  return p;
}

/** A partner's id for a user, checked (400 naming `where`). */
export function checkedPuid(value: unknown, where: string): string {
  if (typeof value !== "string" || !PUID.test(value)) throw new UdnError(400, `${where} must match ${PUID.source}`);
  return value;
}

/** KV key of a partner id's alias: which uid the partner's id was matched to. */
export function aliasKey(partner: string, puid: string): string {
  return `a:${partner}:${puid}`;
}
