/** The per-isolate memo of consent decisions: the same answers as deciding afresh, within its bound. */
import { describe, expect, it } from "vitest";
import { decideConsent } from "../../domain/consent/decide";
import { readConsentSignals } from "../../domain/consent/signals";
import type { ConsentPolicy } from "../../domain/consent/verdict";
import { consentDecisions } from "../../worker/isolate";
import { decideConsentCached } from "../../worker/privacy/consent-memo";
import { PURPOSES, tcString, VENDOR } from "../support/consent-strings";

const policy: ConsentPolicy = { vendorId: VENDOR, purposes: PURPOSES };

describe("the decision memo", () => {
  it("gives the same decisions as deciding afresh, and holds a bounded number", () => {
    const granted = readConsentSignals(new URLSearchParams(`gdpr=1&gdpr_consent=${tcString()}`), undefined);
    const refused = readConsentSignals(new URLSearchParams(`gdpr=1&gdpr_consent=${tcString({ vendors: [99] })}`), undefined);
    for (let i = 0; i < 3; i++) {
      expect(decideConsentCached(granted, policy)).toEqual({ allowed: true });
      expect(decideConsentCached(refused, policy)).toEqual(decideConsent(refused, policy));
      expect(decideConsentCached(granted, { ...policy, vendorId: 99 })).toEqual(decideConsent(granted, { ...policy, vendorId: 99 }));
    }
    for (let i = 0; i < consentDecisions.maxEntries + 50; i++)
      decideConsentCached(readConsentSignals(new URLSearchParams(`us_privacy=1YN-&gpp_sid=-1&gpp=x${i}`), undefined), policy);
    expect(consentDecisions.size()).toBe(consentDecisions.maxEntries);
  });
});
