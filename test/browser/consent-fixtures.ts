/** Consent strings for the browser tests (this deployment's vendor and purposes) and CMP stand-ins that answer the way TCF v2.2 and GPP 1.1 CMPs do. */
import type { BrowserContext } from "playwright-core";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { encodeTcString, gppString } from "../support/consent-builders";

const vars = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions.bindings as Record<string, string>;
const VENDOR = Number(vars.CONSENT_VENDOR_ID);
const PURPOSES = vars.CONSENT_PURPOSES!.split(",").map(Number);

/** A TCF v2.2 TC string giving our vendor consent for every purpose we need, or (`granted: false`) for none. */
export function tcString(granted: boolean): string {
  return encodeTcString(VENDOR, granted ? { vendors: [VENDOR], purposes: PURPOSES } : { vendors: [], purposes: [] });
}

/** A GPP string holding only the US Privacy section (id 6): notice given, no opt-out of sale. */
export function gppUsPrivacyString(): string {
  return gppString({ uspv1: { Notice: "Y", OptOutSale: "N", LspaCovered: "N" } });
}

/** Installs a TCF CMP on every page of `context` before the page's own scripts run; it answers `tcloaded` at once. */
export async function installTcfCmp(context: BrowserContext, tc: string): Promise<void> {
  await context.addInitScript((tcString) => {
    (window as unknown as Record<string, unknown>).__tcfapi = (command: string, version: number, cb: (d: unknown, ok: boolean) => void) => {
      if (command === "addEventListener" && version === 2)
        cb({ eventStatus: "tcloaded", gdprApplies: true, tcString, listenerId: 1, cmpStatus: "loaded" }, true);
    };
  }, tc);
}

/** Installs a GPP 1.1 CMP whose signal becomes ready shortly after the page asks. */
export async function installGppCmp(context: BrowserContext, gpp: string, sections: number[]): Promise<void> {
  await context.addInitScript(
    ({ gppString, applicableSections }) => {
      (window as unknown as Record<string, unknown>).__gpp = (command: string, cb: (e: unknown, ok: boolean) => void) => {
        if (command !== "addEventListener") return;
        const ping = (signalStatus: string) => ({ gppVersion: "1.1", cmpStatus: "loaded", signalStatus, gppString, applicableSections });
        cb({ eventName: "listenerRegistered", listenerId: 1, data: true, pingData: ping("not ready") }, true);
        setTimeout(() => cb({ eventName: "signalStatus", listenerId: 1, data: "ready", pingData: ping("ready") }, true), 50);
      };
    },
    { gppString: gpp, applicableSections: sections },
  );
}
