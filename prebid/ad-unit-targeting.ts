/** GAM key-values per ad unit, for Prebid's `getTargetingData`: the edge's key-values on every ad unit of the auction. */

export type AdUnitTargeting = Record<string, Record<string, string[]>>;

/** `{[adUnitCode]: {udn: ["244","806"]}}`; keys with no value are left out (GAM would get an empty key). */
export function adUnitTargeting(adUnitCodes: readonly string[], gpt: Record<string, string[]>): AdUnitTargeting {
  const kv = Object.fromEntries(Object.entries(gpt).filter(([, v]) => v.length));
  if (!Object.keys(kv).length) return {};
  return Object.fromEntries(adUnitCodes.map((code) => [code, structuredClone(kv)]));
}
