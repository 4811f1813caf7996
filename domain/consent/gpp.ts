/** The GPP rule: every section that applies (`gpp_sid`) must allow us; each section is found by its id in the header and read in bounded time. */
import { GppModel, Sections } from "@iabgpp/cmpapi";
import { readGppHeader } from "./gpp-header";
import { tcfVerdict } from "./tcf";
import { readTcfCaCore } from "./tcf-ca-reader";
import { usPrivacyVerdict } from "./us-privacy";
import { ALLOWED, type ConsentPolicy, type ConsentVerdict, denied } from "./verdict";

const MAX_GPP_STRING = 8192;
const TCF_EU_V2 = 2;
const TCF_CA_V1 = 5;
const USP_V1 = 6;
/** Fields of the US national and state sections that opt the user out of what we do (1 = opted out). */
const US_OPT_OUTS = ["SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut"] as const;
/** Longer than any US section the GPP specification defines (the longest, usnat with its GPC segment, is under 40): the IAB's decoder reads the whole text. */
const MAX_US_SECTION = 64;
const SID_LIST = /^-?[0-9]{1,3}(?:[,_]-?[0-9]{1,3}){0,31}$/;

/** `gpp_sid` as a list of section ids; -1 (or nothing) means no section applies. */
function parseSids(gppSid: string): number[] | undefined {
  if (!SID_LIST.test(gppSid)) return undefined;
  return gppSid
    .split(/[,_]/)
    .map(Number)
    .filter((n) => n > 0);
}

/**
 * TCF Canada accepts express or implied consent; both must cover our vendor and every purpose we need.
 * Read by tcf-ca-reader.ts: the IAB's decoder expands its Fibonacci-coded ranges id by id, and a range of a few
 * characters can reach 2^40.
 */
function tcfCaVerdict(raw: string, policy: ConsentPolicy): ConsentVerdict {
  const ca = readTcfCaCore(raw, policy.vendorId);
  if (!ca) return denied("gpp section tcfcav1 is not a valid TCF Canada string");
  if (!ca.vendorConsent) return denied(`gpp section tcfcav1 gives vendor ${policy.vendorId} no consent`);
  for (const p of policy.purposes) {
    const given = p >= 1 && p <= 24 && (((ca.purposesExpress | ca.purposesImplied) >>> (24 - p)) & 1) === 1;
    if (!given) return denied(`gpp section tcfcav1 gives no consent for purpose ${p}`);
  }
  return ALLOWED;
}

/**
 * The US national and state sections (and their GPC and sensitive-data segments) hold only fixed-width integers,
 * integer lists and booleans, so the IAB's decoder reads one in time linear in its length. It is given the
 * section alone: a model built from the whole string would also decode the header's ranges and every other section.
 */
function usSectionVerdict(sid: number, raw: string): ConsentVerdict {
  const name = Sections.SECTION_ID_NAME_MAP.get(sid)!;
  if (raw.length > MAX_US_SECTION) return denied(`gpp section ${name} is longer than ${MAX_US_SECTION} characters`);
  const model = new GppModel();
  model.decodeSectionById(sid, raw);
  for (const field of US_OPT_OUTS) {
    if (model.hasField(name, field) && model.getFieldValue(name, field) === 1) return denied(`gpp section ${name} has ${field}`);
  }
  if (model.hasField(name, "Gpc") && model.getFieldValue(name, "Gpc") === true) return denied(`gpp section ${name} carries GPC`);
  // A known child without parental consent (1 = no consent) may not be profiled.
  const child = model.hasField(name, "KnownChildSensitiveDataConsents") ? model.getFieldValue(name, "KnownChildSensitiveDataConsents") : 0;
  if (child === 1 || (Array.isArray(child) && child.includes(1))) return denied(`gpp section ${name} names a known child without consent`);
  return ALLOWED;
}

function sectionVerdict(sid: number, raw: string, policy: ConsentPolicy): ConsentVerdict {
  if (sid === TCF_EU_V2) return tcfVerdict(raw, policy, "gpp section tcfeuv2");
  if (sid === USP_V1) return usPrivacyVerdict(raw, "gpp section uspv1");
  if (sid === TCF_CA_V1) return tcfCaVerdict(raw, policy);
  if (Sections.SECTION_ID_NAME_MAP.get(sid)?.startsWith("us")) return usSectionVerdict(sid, raw);
  // Unknown or retired sections (tcfeuv1) cannot be checked, so they cannot allow us.
  return denied(`gpp section ${sid} is not supported`);
}

/**
 * @param gpp the GPP string, if sent
 * @param gppSid the applicable section ids, if sent; without it every section in the string applies
 */
export function gppVerdict(gpp: string | undefined, gppSid: string | undefined, policy: ConsentPolicy): ConsentVerdict {
  const sids = gppSid === undefined ? undefined : parseSids(gppSid);
  if (gppSid !== undefined && !sids) return denied("gpp_sid is not a list of section ids");
  if (gpp === undefined) return sids?.length ? denied("gpp_sid names sections but gpp is missing") : ALLOWED;
  if (gpp.length > MAX_GPP_STRING) return denied(`gpp is longer than ${MAX_GPP_STRING} characters`);
  const [header = "", ...raw] = gpp.split("~");
  // Sections are found by the header's ids, in its order: the IAB's model lists only the sections it knows, and
  // expands the header's id ranges one by one (so it is never given the whole string).
  const present = raw.every((r) => r !== "") ? readGppHeader(header, raw.length) : undefined;
  if (!present) return denied("gpp is not a valid GPP string");
  try {
    for (const sid of sids ?? present) {
      const i = present.indexOf(sid);
      if (i < 0) return denied(`gpp has no section ${sid} though gpp_sid names it`);
      const v = sectionVerdict(sid, raw[i]!, policy);
      if (!v.allowed) return v;
    }
    return ALLOWED;
  } catch {
    // The IAB's decoder reads a section lazily, so a damaged one can throw from any field access.
    return denied("gpp is not a valid GPP string");
  }
}
