/** Real consent strings (made by the IAB's own libraries) and CMP stand-ins that answer the way TCF v2.2 and GPP 1.1 CMPs do. */
import { GppModel } from "@iabgpp/cmpapi";
import { GVL, TCModel, TCString } from "@iabtcf/core";
import type { BrowserContext } from "playwright-core";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { globalVendorList } from "../support/global-vendor-list";

const vars = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions.bindings as Record<string, string>;
const VENDOR = Number(vars.CONSENT_VENDOR_ID);
const PURPOSES = vars.CONSENT_PURPOSES!.split(",").map(Number);

/** A TCF v2.2 TC string giving our vendor consent for every purpose we need, or (`granted: false`) for none. */
export function tcString(granted: boolean): string {
  const model = new TCModel(new GVL(globalVendorList([VENDOR]) as never));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  if (granted) {
    model.vendorConsents.set(VENDOR);
    model.purposeConsents.set(PURPOSES);
  }
  return TCString.encode(model);
}

/** A GPP string holding only the US Privacy section (id 6): notice given, no opt-out of sale. */
export function gppUsPrivacyString(): string {
  const model = new GppModel();
  model.setFieldValue("uspv1", "Notice", "Y");
  model.setFieldValue("uspv1", "OptOutSale", "N");
  model.setFieldValue("uspv1", "LspaCovered", "N");
  return model.encode();
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
