/** Identity inputs as pure functions: the partner document, declared ids, sync URLs, eids and the profile record's ids. */
import { describe, expect, it } from "vitest";
import { declaredKey, parseDeclaredId } from "../../domain/identity/declared-id";
import { eidsOf } from "../../domain/identity/eids";
import { aliasKey, compilePartners, redirectAllowed } from "../../domain/identity/partners";
import { fillSyncUrl, matchUrl } from "../../domain/identity/sync-url";
import { decodeProfile, encodeProfile } from "../../domain/profile-record";

const SSP = {
  id: "ssp1",
  gvlid: 99,
  syncUrl: "https://sync.ssp1.example/s?u={UDN_ID}&c={GDPR_CONSENT}&b={MATCH_URL}",
  redirectHosts: ["sync.ssp1.example"],
  eids: { source: "ssp1.example", atype: 1 },
};

describe("the partner document", () => {
  it("compiles partners by id and refuses what would open a redirect or leak our id", () => {
    const config = compilePartners({ version: 3, partners: [SSP] });
    expect(config.version).toBe(3);
    expect(config.partners.get("ssp1")?.redirectHosts.has("sync.ssp1.example")).toBe(true);
    const refused: [unknown, string][] = [
      [{ version: 0, partners: [] }, "version must be a positive integer"],
      [{ version: 1, partners: [SSP, SSP] }, 'partners[1].id "ssp1" is listed twice'],
      [{ version: 1, partners: [{ ...SSP, syncUrl: "http://sync.ssp1.example/?u={UDN_ID}" }] }, "must be https on one of redirectHosts"],
      [{ version: 1, partners: [{ ...SSP, redirectHosts: ["Sync.Example"] }] }, "partners[0].redirectHosts[0]"],
      [{ version: 1, partners: [{ ...SSP, redirectHosts: [] }] }, "partners[0].redirectHosts must be an array of 1 to 10 hosts"],
      [{ version: 1, partners: [{ ...SSP, eids: { source: "not a domain", atype: 1 } }] }, "partners[0].eids.source"],
    ];
    for (const [doc, message] of refused) expect(() => compilePartners(doc)).toThrow(message);
  });

  it("allows redirects only over https (http to the local machine) to listed hosts, without credentials", () => {
    const hosts = new Set(["sync.ssp1.example", "localhost:8795"]);
    expect(redirectAllowed(new URL("https://sync.ssp1.example/next?x=1"), hosts)).toBe(true);
    expect(redirectAllowed(new URL("http://localhost:8795/next"), hosts)).toBe(true);
    expect(redirectAllowed(new URL("http://sync.ssp1.example/"), hosts)).toBe(false);
    expect(redirectAllowed(new URL("https://a@sync.ssp1.example/"), hosts)).toBe(false);
    expect(redirectAllowed(new URL("https://sync.ssp1.example.evil.example/"), hosts)).toBe(false);
  });

  it("fills a sync URL's macros, each URL-encoded, absent signals as empty", () => {
    const p = compilePartners({ version: 1, partners: [SSP] }).partners.get("ssp1")!;
    const url = fillSyncUrl(p, "U1d", { gpc: false, gdprConsent: "CP a&b" }, matchUrl("https://edge.example", "ssp1"));
    expect(url).toBe("https://sync.ssp1.example/s?u=U1d&c=CP%20a%26b&b=https%3A%2F%2Fedge.example%2Fv1%2Fmatch%3Fpartner%3Dssp1%26puid%3D");
    expect(aliasKey("ssp1", "x:y")).toBe("a:ssp1:x:y");
  });
});

describe("declared ids", () => {
  it("takes a SHA-256 hex (lower-cased) or a publisher id, and never an address", () => {
    const hex = "A".repeat(64);
    expect(parseDeclaredId(JSON.stringify({ sha256_email: hex }))).toEqual({ kind: "sha256_email", value: "a".repeat(64) });
    expect(declaredKey(parseDeclaredId('{"ppid":"pub-1"}'))).toBe("ppid:pub-1");
    expect(() => parseDeclaredId('{"ppid":"jane@example.com"}')).toThrow("never the address");
    expect(() => parseDeclaredId('{"email":"x"}')).toThrow("never the address");
    expect(() => parseDeclaredId("[]")).toThrow("body must be");
  });
});

describe("eids and the profile record", () => {
  it("names our id (atype 3 for a person) and the partners' ids that configuration and consent allow", () => {
    const config = compilePartners({ version: 1, partners: [SSP, { ...SSP, id: "quiet", eids: undefined }] });
    const links = [
      { partner: "ssp1", puid: "S1" },
      { partner: "quiet", puid: "Q1" },
      { partner: "gone", puid: "G1" },
    ];
    expect(eidsOf("me", true, links, "udn.example", config, () => true)).toEqual([
      { source: "udn.example", uids: [{ id: "me", atype: 3 }] },
      { source: "ssp1.example", uids: [{ id: "S1", atype: 1 }], matcher: "udn.example", mm: 2 },
    ]);
    expect(eidsOf("me", false, links, "udn.example", config, () => false)).toEqual([
      { source: "udn.example", uids: [{ id: "me", atype: 1 }] },
    ]);
    expect(eidsOf("me", false, links, "", config, () => true)).toEqual([]);
  });

  it("carries partner ids and the person mark after the segments, where older readers stop", () => {
    const p = { ts: 5, segments: [{ id: "806", taxonomy: 4 }], partners: [{ partner: "ssp1", puid: "a:b/c+d" }], person: true };
    const text = encodeProfile(p);
    expect(text).toBe("1|5|4:806|ssp1:a:b/c+d|P");
    expect(decodeProfile(text)).toEqual(p);
    expect(encodeProfile({ ts: 5, segments: [{ id: "806", taxonomy: 4 }] })).toBe("1|5|4:806");
  });
});
