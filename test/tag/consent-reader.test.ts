/** The tag reading consent from TCF, GPP and USP CMPs that load, change and fail. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConsent } from "../../tag/consent-reader";

type Listener = (...args: unknown[]) => void;

/** A TCF v2.2 CMP: `addEventListener` answers at once with the current TCData, then on every change. */
function tcfCmp(initial: Record<string, unknown> | null) {
  const listeners: Listener[] = [];
  const api = vi.fn((command: string, version: number, cb: Listener) => {
    expect([command, version]).toEqual(["addEventListener", 2]);
    listeners.push(cb);
    if (initial) cb(initial, true);
  });
  return { api, emit: (data: unknown, ok = true) => listeners.forEach((l) => l(data, ok)) };
}

/** A GPP 1.1 CMP: the callback gets EventListener objects whose pingData carries the string. */
function gppCmp() {
  const listeners: Listener[] = [];
  const api = vi.fn((command: string, cb: Listener) => {
    expect(command).toBe("addEventListener");
    listeners.push(cb);
    cb({ eventName: "listenerRegistered", listenerId: 1, data: true, pingData: { signalStatus: "not ready", cmpStatus: "loading" } }, true);
  });
  const ping = (pingData: Record<string, unknown>, ok = true) =>
    listeners.forEach((l) => l({ eventName: "signalStatus", listenerId: 1, data: pingData.signalStatus, pingData }, ok));
  return { api, ping };
}

afterEach(() => vi.useRealTimers());

describe("reading consent", () => {
  it("sends no consent parameters when the page has no CMP", () => {
    expect(readConsent({}).current()).toEqual({});
  });

  it("reads the TC string once the CMP has loaded it", () => {
    const cmp = tcfCmp({ eventStatus: "tcloaded", gdprApplies: true, tcString: "CQabc" });
    expect(readConsent({ __tcfapi: cmp.api }).current()).toEqual({ gdpr: "1", gdpr_consent: "CQabc" });
  });

  it("waits while the CMP shows its dialog and takes the user's choice", () => {
    const cmp = tcfCmp({ eventStatus: "cmpuishown", gdprApplies: true, tcString: "" });
    const consent = readConsent({ __tcfapi: cmp.api });
    const changed = vi.fn();
    consent.onChange(changed);
    expect(consent.current()).toBeNull();
    cmp.emit({ eventStatus: "useractioncomplete", gdprApplies: true, tcString: "CQchosen" });
    expect(consent.current()).toEqual({ gdpr: "1", gdpr_consent: "CQchosen" });
    expect(changed).toHaveBeenCalled();
  });

  it("keeps the last choice while the user reopens the dialog, then takes the new one", () => {
    const cmp = tcfCmp({ eventStatus: "tcloaded", gdprApplies: true, tcString: "CQold" });
    const consent = readConsent({ __tcfapi: cmp.api });
    cmp.emit({ eventStatus: "cmpuishown", gdprApplies: true, tcString: "CQold" });
    expect(consent.current()).toEqual({ gdpr: "1", gdpr_consent: "CQold" });
    cmp.emit({ eventStatus: "useractioncomplete", gdprApplies: true, tcString: "CQnew" });
    expect(consent.current()).toEqual({ gdpr: "1", gdpr_consent: "CQnew" });
  });

  it("says gdpr=0 when the CMP says GDPR does not apply", () => {
    const cmp = tcfCmp({ eventStatus: "tcloaded", gdprApplies: false });
    expect(readConsent({ __tcfapi: cmp.api }).current()).toEqual({ gdpr: "0" });
  });

  it("sends nothing at all when a CMP fails or throws: the user's choice cannot be known", () => {
    const failed = tcfCmp({ eventStatus: "tcloaded", gdprApplies: true, tcString: "x" });
    const consent = readConsent({ __tcfapi: failed.api });
    failed.emit(undefined, false);
    expect(consent.current()).toBe(false);
    const throwing = () => {
      throw new Error("CMP broken");
    };
    expect(readConsent({ __tcfapi: throwing }).current()).toBe(false);
    const gpp = gppCmp();
    const withGpp = readConsent({ __gpp: gpp.api });
    gpp.ping({ signalStatus: "ready", cmpStatus: "error" });
    expect(withGpp.current()).toBe(false);
  });

  it("reads the GPP string and applicable sections once the signal is ready, not before", () => {
    const gpp = gppCmp();
    const consent = readConsent({ __gpp: gpp.api });
    expect(consent.current()).toBeNull();
    gpp.ping({
      signalStatus: "ready",
      cmpStatus: "loaded",
      gppString: "DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA",
      applicableSections: [2, 6],
    });
    expect(consent.current()).toEqual({ gpp: "DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", gpp_sid: "2,6" });
    gpp.ping({ signalStatus: "not ready", cmpStatus: "loaded" });
    expect(consent.current()).toEqual({ gpp: "DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", gpp_sid: "2,6" });
  });

  it("passes gpp_sid=-1 as the CMP says when no section applies", () => {
    const gpp = gppCmp();
    const consent = readConsent({ __gpp: gpp.api });
    gpp.ping({ signalStatus: "ready", cmpStatus: "loaded", gppString: "DBAA", applicableSections: [-1] });
    expect(consent.current()).toEqual({ gpp: "DBAA", gpp_sid: "-1" });
  });

  it("merges every CMP on the page and waits for all of them", () => {
    const tcf = tcfCmp({ eventStatus: "tcloaded", gdprApplies: true, tcString: "CQabc" });
    const gpp = gppCmp();
    const usp = (_command: string, _version: number, cb: Listener) => cb({ version: 1, uspString: "1YN-" }, true);
    const consent = readConsent({ __tcfapi: tcf.api, __gpp: gpp.api, __uspapi: usp });
    expect(consent.current()).toBeNull();
    gpp.ping({ signalStatus: "ready", cmpStatus: "loaded", gppString: "DBAA", applicableSections: [7] });
    expect(consent.current()).toEqual({ gdpr: "1", gdpr_consent: "CQabc", gpp: "DBAA", gpp_sid: "7", us_privacy: "1YN-" });
  });

  it("lets a lookup wait a bounded time for a CMP that has not answered", async () => {
    vi.useFakeTimers();
    const gpp = gppCmp();
    const consent = readConsent({ __gpp: gpp.api });
    const late = consent.ready(500);
    const early = consent.ready(500);
    gpp.ping({ signalStatus: "ready", cmpStatus: "loaded", gppString: "DBAA", applicableSections: [7] });
    await expect(early).resolves.toEqual({ gpp: "DBAA", gpp_sid: "7" });
    await expect(late).resolves.toEqual({ gpp: "DBAA", gpp_sid: "7" });
    const silent = readConsent({ __gpp: gppCmp().api }).ready(500);
    vi.advanceTimersByTime(500);
    await expect(silent).resolves.toBeNull();
  });
});
