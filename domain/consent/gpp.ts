/** The GPP rule: every section that applies (`gpp_sid`) must allow us, read with the IAB's own decoder. */
import { GppModel, Sections } from "@iabgpp/cmpapi";
import { tcfVerdict } from "./tcf";
import { usPrivacyVerdict } from "./us-privacy";
import { ALLOWED, type ConsentPolicy, type ConsentVerdict, denied } from "./verdict";

const MAX_GPP_STRING = 8192;
const TCF_EU_V2 = 2;
const TCF_CA_V1 = 5;
const USP_V1 = 6;
/** Fields of the US national and state sections that opt the user out of what we do (1 = opted out). */
const US_OPT_OUTS = ["SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut"] as const;
const SID_LIST = /^-?[0-9]{1,3}(?:[,_]-?[0-9]{1,3}){0,31}$/;

/** `gpp_sid` as a list of section ids; -1 (or nothing) means no section applies. */
function parseSids(gppSid: string): number[] | undefined {
  if (!SID_LIST.test(gppSid)) return undefined;
  return gppSid
    .split(/[,_]/)
    .map(Number)
    .filter((n) => n > 0);
}

/** TCF Canada accepts express or implied consent; both must cover our vendor and every purpose we need. */
function tcfCaVerdict(model: GppModel, policy: ConsentPolicy): ConsentVerdict {
  const ids = (field: string) => (model.getFieldValue("tcfcav1", field) as number[] | null) ?? [];
  const flags = (field: string) => (model.getFieldValue("tcfcav1", field) as boolean[] | null) ?? [];
  const vendors = new Set([...ids("VendorExpressConsent"), ...ids("VendorImpliedConsent")]);
  if (!vendors.has(policy.vendorId)) return denied(`gpp section tcfcav1 gives vendor ${policy.vendorId} no consent`);
  const express = flags("PurposesExpressConsent");
  const implied = flags("PurposesImpliedConsent");
  for (const p of policy.purposes) {
    if (!express[p - 1] && !implied[p - 1]) return denied(`gpp section tcfcav1 gives no consent for purpose ${p}`);
  }
  return ALLOWED;
}

function usSectionVerdict(model: GppModel, name: string): ConsentVerdict {
  for (const field of US_OPT_OUTS) {
    if (model.hasField(name, field) && model.getFieldValue(name, field) === 1) return denied(`gpp section ${name} has ${field}`);
  }
  if (model.hasField(name, "Gpc") && model.getFieldValue(name, "Gpc") === true) return denied(`gpp section ${name} carries GPC`);
  // A known child without parental consent (1 = no consent) may not be profiled.
  const child = model.hasField(name, "KnownChildSensitiveDataConsents") ? model.getFieldValue(name, "KnownChildSensitiveDataConsents") : 0;
  if (child === 1 || (Array.isArray(child) && child.includes(1))) return denied(`gpp section ${name} names a known child without consent`);
  return ALLOWED;
}

function sectionVerdict(model: GppModel, sid: number, raw: string, policy: ConsentPolicy): ConsentVerdict {
  if (sid === TCF_EU_V2) return tcfVerdict(raw, policy, "gpp section tcfeuv2");
  if (sid === USP_V1) return usPrivacyVerdict(raw, "gpp section uspv1");
  if (sid === TCF_CA_V1) return tcfCaVerdict(model, policy);
  const name = Sections.SECTION_ID_NAME_MAP.get(sid);
  if (name?.startsWith("us")) return usSectionVerdict(model, name);
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
  try {
    const model = new GppModel(gpp);
    const present = model.getSectionIds() as number[];
    const raw = gpp.split("~").slice(1);
    for (const sid of sids ?? present) {
      const i = present.indexOf(sid);
      if (i < 0 || raw[i] === undefined) return denied(`gpp has no section ${sid} though gpp_sid names it`);
      const v = sectionVerdict(model, sid, raw[i], policy);
      if (!v.allowed) return v;
    }
    return ALLOWED;
  } catch {
    // The decoder reads sections lazily, so a damaged section can throw from any field access.
    return denied("gpp is not a valid GPP string");
  }
}
