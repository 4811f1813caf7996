/** Consent strings for the tests in workerd, for this deployment's vendor and purposes (wrangler.toml's vars). */
import { env } from "cloudflare:workers";
import type { RestrictionType } from "@iabtechlabtcf/core";
import { encodeTcString } from "./consent-builders";

export { gppString } from "./consent-builders";

export const VENDOR = Number(env.CONSENT_VENDOR_ID);
export const PURPOSES = env.CONSENT_PURPOSES.split(",").map(Number);

export interface TcOptions {
  vendors?: number[];
  purposes?: number[];
  /** Publisher restrictions on our vendor: purpose -> type. */
  restrictions?: [number, RestrictionType][];
}

/** A TCF v2.2 TC string; by default one giving us consent for every purpose we need. */
export function tcString(opts: TcOptions = {}): string {
  return encodeTcString(VENDOR, {
    vendors: opts.vendors ?? [VENDOR],
    purposes: opts.purposes ?? PURPOSES,
    restrictions: opts.restrictions ?? [],
  });
}
