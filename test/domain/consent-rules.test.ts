/** The consent rules on real TC, US Privacy and GPP strings, granted and refused. */
import { RestrictionType, TCString } from "@iabtechlabtcf/core";
import { describe, expect, it } from "vitest";
import { decideConsent } from "../../domain/consent/decide";
import { gppVerdict } from "../../domain/consent/gpp";
import { readConsentSignals } from "../../domain/consent/signals";
import { tcfVerdict } from "../../domain/consent/tcf";
import { usPrivacyVerdict } from "../../domain/consent/us-privacy";
import type { ConsentPolicy } from "../../domain/consent/verdict";
import { gppString, PURPOSES, tcString, VENDOR } from "../support/consent-strings";

const policy: ConsentPolicy = { vendorId: VENDOR, purposes: PURPOSES };
const decide = (query: string, gpc?: string) => decideConsent(readConsentSignals(new URLSearchParams(query), gpc), policy);

describe("TCF v2 strings", () => {
  it("allows a string giving our vendor consent for every needed purpose", () => {
    const s = tcString();
    // The fixture really is a TCF v2 string with our vendor in it: decoded independently of the rule.
    expect(TCString.decode(s).vendorConsents.has(VENDOR)).toBe(true);
    expect(tcfVerdict(s, policy, "gdpr_consent")).toEqual({ allowed: true });
  });

  it("denies without vendor consent, without any needed purpose, or with a publisher restriction", () => {
    expect(tcfVerdict(tcString({ vendors: [99] }), policy, "gdpr_consent")).toEqual({
      allowed: false,
      reason: `gdpr_consent gives vendor ${VENDOR} no consent`,
    });
    for (const missing of PURPOSES) {
      const s = tcString({ purposes: PURPOSES.filter((p) => p !== missing) });
      expect(tcfVerdict(s, policy, "gdpr_consent")).toEqual({
        allowed: false,
        reason: `gdpr_consent gives no consent for purpose ${missing}`,
      });
    }
    for (const type of [RestrictionType.NOT_ALLOWED, RestrictionType.REQUIRE_LI]) {
      const s = tcString({ restrictions: [[3, type]] });
      expect(tcfVerdict(s, policy, "gdpr_consent")).toEqual({
        allowed: false,
        reason: `gdpr_consent restricts purpose 3 for vendor ${VENDOR}`,
      });
    }
    // A restriction that only insists on consent leaves consent given as it is.
    expect(tcfVerdict(tcString({ restrictions: [[3, RestrictionType.REQUIRE_CONSENT]] }), policy, "gdpr_consent").allowed).toBe(true);
  });

  it("denies strings it cannot read, without echoing them", () => {
    for (const bad of ["", "garbage", "%%%", tcString().slice(0, 10), "A".repeat(5000)]) {
      const v = tcfVerdict(bad, policy, "gdpr_consent");
      expect(v.allowed).toBe(false);
      if (!v.allowed && bad.length > 3) expect(v.reason).not.toContain(bad);
    }
  });
});

describe("US Privacy strings", () => {
  it("denies an opt-out of sale and unreadable strings, allows the rest", () => {
    expect(usPrivacyVerdict("1YY-", "us_privacy")).toEqual({ allowed: false, reason: "us_privacy opts out of sale" });
    expect(usPrivacyVerdict("1nyn", "us_privacy").allowed).toBe(false);
    for (const ok of ["1YN-", "1---", "1NNN", "1ynY"]) expect(usPrivacyVerdict(ok, "us_privacy")).toEqual({ allowed: true });
    for (const bad of ["2YN-", "1YN", "1YNNN", "1XY-"]) {
      expect(usPrivacyVerdict(bad, "us_privacy")).toEqual({ allowed: false, reason: "us_privacy is not a valid US Privacy string" });
    }
  });
});

describe("GPP strings", () => {
  it("checks a tcfeuv2 section with the TCF rule", () => {
    const flags = (ids: number[]) => Array.from({ length: 24 }, (_, i) => ids.includes(i + 1));
    const eu = (vendors: number[], purposes: number[]) =>
      gppString({ tcfeuv2: { CmpId: 10, VendorConsents: vendors, PurposeConsents: flags(purposes) } });
    expect(gppVerdict(eu([VENDOR], PURPOSES), "2", policy)).toEqual({ allowed: true });
    expect(gppVerdict(eu([99], PURPOSES), "2", policy)).toEqual({
      allowed: false,
      reason: `gpp section tcfeuv2 gives vendor ${VENDOR} no consent`,
    });
    expect(gppVerdict(eu([VENDOR], [1, 3]), "2", policy)).toEqual({
      allowed: false,
      reason: "gpp section tcfeuv2 gives no consent for purpose 4",
    });
  });

  it("checks US national and state sections for opt-outs of sale, sharing and targeted ads, and known children", () => {
    expect(gppVerdict(gppString({ usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } }), "7", policy)).toEqual({
      allowed: true,
    });
    for (const field of ["SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut"]) {
      expect(gppVerdict(gppString({ usnat: { [field]: 1 } }), "7", policy)).toEqual({
        allowed: false,
        reason: `gpp section usnat has ${field}`,
      });
    }
    expect(gppVerdict(gppString({ usca: { SaleOptOut: 1 } }), "8", policy)).toEqual({
      allowed: false,
      reason: "gpp section usca has SaleOptOut",
    });
    expect(gppVerdict(gppString({ usva: { TargetedAdvertisingOptOut: 1 } }), "9", policy).allowed).toBe(false);
    expect(gppVerdict(gppString({ usca: { SaleOptOut: 2, SharingOptOut: 2 } }), "8", policy)).toEqual({ allowed: true });
    expect(gppVerdict(gppString({ usnat: { KnownChildSensitiveDataConsents: [0, 1] } }), "7", policy).allowed).toBe(false);
  });

  it("checks uspv1 and tcfcav1 sections", () => {
    const usp = gppString({ uspv1: { Notice: "Y", OptOutSale: "Y", LspaCovered: "N" } });
    expect(gppVerdict(usp, "6", policy)).toEqual({ allowed: false, reason: "gpp section uspv1 opts out of sale" });
    expect(gppVerdict(gppString({ uspv1: { Notice: "Y", OptOutSale: "N", LspaCovered: "N" } }), "6", policy)).toEqual({ allowed: true });
    const flags = (ids: number[]) => Array.from({ length: 24 }, (_, i) => ids.includes(i + 1));
    const ca = (vendors: number[], purposes: number[]) =>
      gppString({ tcfcav1: { VendorExpressConsent: vendors, PurposesExpressConsent: flags(purposes) } });
    expect(gppVerdict(ca([VENDOR], PURPOSES), "5", policy)).toEqual({ allowed: true });
    expect(gppVerdict(ca([99], PURPOSES), "5", policy).allowed).toBe(false);
    expect(gppVerdict(ca([VENDOR], [1]), "5", policy).allowed).toBe(false);
  });

  it("applies only the sections gpp_sid names, all of them without gpp_sid, none with -1", () => {
    const both = gppString({ usnat: { SaleOptOut: 1 }, usca: { SaleOptOut: 2 } });
    expect(gppVerdict(both, "8", policy)).toEqual({ allowed: true });
    expect(gppVerdict(both, "7,8", policy).allowed).toBe(false);
    expect(gppVerdict(both, undefined, policy).allowed).toBe(false);
    expect(gppVerdict(both, "-1", policy)).toEqual({ allowed: true });
    expect(gppVerdict(undefined, "-1", policy)).toEqual({ allowed: true });
  });

  it("denies what it cannot check: missing, garbled or unsupported sections", () => {
    const usca = gppString({ usca: { SaleOptOut: 2 } });
    expect(gppVerdict(usca, "7", policy)).toEqual({ allowed: false, reason: "gpp has no section 7 though gpp_sid names it" });
    expect(gppVerdict(undefined, "7", policy)).toEqual({ allowed: false, reason: "gpp_sid names sections but gpp is missing" });
    expect(gppVerdict(usca, "seven", policy)).toEqual({ allowed: false, reason: "gpp_sid is not a list of section ids" });
    for (const bad of ["garbage", "DBABMA~", "~~~", `${usca.slice(0, -3)}!!!`]) {
      expect(gppVerdict(bad, undefined, policy)).toEqual({ allowed: false, reason: "gpp is not a valid GPP string" });
    }
  });
});

describe("the consent decision", () => {
  it("allows a request with no signal at all, and gdpr=0 whatever its string", () => {
    expect(decide("")).toEqual({ allowed: true });
    expect(decide("gdpr=0&gdpr_consent=garbage")).toEqual({ allowed: true });
    // Empty macros count as absent.
    expect(decide("gdpr=&gdpr_consent=&gpp=&gpp_sid=&us_privacy=")).toEqual({ allowed: true });
  });

  it("needs a TC string giving consent when GDPR applies or a TC string is sent", () => {
    expect(decide(`gdpr=1&gdpr_consent=${tcString()}`)).toEqual({ allowed: true });
    expect(decide("gdpr=1")).toEqual({ allowed: false, reason: "gdpr=1 without gdpr_consent" });
    expect(decide(`gdpr=1&gdpr_consent=${tcString({ vendors: [99] })}`).allowed).toBe(false);
    expect(decide(`gdpr_consent=${tcString({ vendors: [99] })}`).allowed).toBe(false);
    // An unexpected gdpr value is read as "applies": unsure means no.
    expect(decide("gdpr=yes").allowed).toBe(false);
  });

  it("denies with Sec-GPC: 1 whatever else is sent, and requires every signal to allow", () => {
    expect(decide(`gdpr=1&gdpr_consent=${tcString()}`, "1")).toEqual({ allowed: false, reason: "Sec-GPC: 1 asks not to sell or share" });
    expect(decide("", "0")).toEqual({ allowed: true });
    expect(decide(`gdpr=1&gdpr_consent=${tcString()}&us_privacy=1YY-`)).toEqual({ allowed: false, reason: "us_privacy opts out of sale" });
    const gpp = gppString({ usnat: { SaleOptOut: 1 } });
    expect(decide(`us_privacy=1YN-&gpp=${gpp}&gpp_sid=7`)).toEqual({ allowed: false, reason: "gpp section usnat has SaleOptOut" });
  });
});
