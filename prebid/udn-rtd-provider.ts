/**
 * `udnRtdProvider`: Prebid's real-time-data submodule for the UDN edge. It puts the user's segments and ids (eids) into
 * the auction's ortb2 fragments (global, or the listed bidders') and GAM key-values on each ad unit,
 * answering at once from the page's cache and refreshing it from the tag's one request per page view. The page's
 * own segments go to every bidder in `site.content.data`, consent or not: they say nothing about the user.
 */
import { adUnitTargeting } from "./ad-unit-targeting";
import { enrichmentAllowed, type GdprConsent } from "./consent";
import { addEids } from "./eids";
import { type CachedProfile, cacheKey, fromPage, replaces, usable } from "./page-cache";
import { type Options, readOptions } from "./params";
import { getStorageManager, MODULE_TYPE_RTD, submodule } from "./prebid-core";
import { addSiteData, readSiteData } from "./site-data";
import { onTagProfile, tagOptout, tagOrigin, tagProfile } from "./tag-bridge";
import { GVLID } from "./udn-rtd-gvlid";
import { addUserData, type Ortb2Fragment, type OrtbData, userDataFor } from "./user-data";

export const NAME = "udn";

interface ProviderConfig {
  params?: unknown;
}
interface Consent {
  gdpr?: GdprConsent | null;
}
interface Fragments {
  global: Ortb2Fragment;
  bidder: Record<string, Ortb2Fragment | undefined>;
}

// Prebid's storage manager: device access goes through its activity controls (TCF Purpose 1 for our vendor).
const storage = getStorageManager({ moduleType: MODULE_TYPE_RTD, moduleName: NAME });
/** The newest profile this page has, per edge; the stored copy serves the next page views. */
const known = new Map<string, CachedProfile>();

const edgeOf = (o: Options) => o.edge ?? tagOrigin(document) ?? "";

function cached(o: Options): CachedProfile | undefined {
  const edge = edgeOf(o);
  const now = Date.now();
  const inPage = usable(known.get(edge), edge, now, o.maxAgeMs);
  if (inPage) return inPage;
  try {
    return usable(JSON.parse(storage.getDataFromLocalStorage(cacheKey(edge)) ?? "null"), edge, now, o.maxAgeMs);
  } catch {
    // A corrupt entry (or storage refused) is no entry.
    return undefined;
  }
}

/** This page view's page segments, once the tag has them: kept in the page only. */
let site: OrtbData[] | undefined;

/** Keeps a profile the tag learnt if it is at least as new as the cached one. */
function learn(o: Options, page: unknown): CachedProfile | undefined {
  if (page) site = readSiteData(page);
  const next = fromPage(edgeOf(o), page, Date.now());
  if (!next || !replaces(cached(o), next, next.at, o.maxAgeMs)) return cached(o);
  known.set(next.edge, next);
  storage.setDataInLocalStorage(cacheKey(next.edge), JSON.stringify(next));
  return next;
}

/** The profile's user.data and eids: in the global fragment, or only in the listed bidders' (the publisher chose who gets what we know). */
function enrich(fragments: Fragments, profile: CachedProfile, o: Options): void {
  if (!o.bidders) {
    addUserData(fragments.global, userDataFor(profile.data));
    addEids(fragments.global, profile.eids);
    return;
  }
  for (const bidder of o.bidders) {
    const data = userDataFor(profile.data, o.taxonomies[bidder]);
    if (!data.length && !profile.eids.length) continue;
    // Assigning creates the bidder's fragment through Prebid's guard; reading it back gives the guarded one.
    if (!fragments.bidder[bidder]) fragments.bidder[bidder] = {};
    addUserData(fragments.bidder[bidder]!, data);
    // The global fragment's ids (other ID modules') reach this bidder too: a source there is not repeated here.
    addEids(fragments.bidder[bidder]!, profile.eids, fragments.global);
  }
}

let options: Options | undefined;

export const udnSubmodule = {
  name: NAME,
  gvlid: GVLID,
  init(config: ProviderConfig): boolean {
    const o = (options = readOptions(config.params));
    onTagProfile(window, (page) => learn(o, page));
    // Starts the page view's one request now, so that it is often in before the first auction.
    tagProfile(window).then((page) => learn(o, page));
    return true;
  },
  getBidRequestData(
    request: { ortb2Fragments: Fragments },
    callback: () => void,
    config: ProviderConfig,
    consent: Consent,
    timeout: number,
  ): void {
    const o = options ?? readOptions(config.params);
    const allowed = enrichmentAllowed(consent, GVLID);
    const now = allowed ? cached(o) : undefined;
    // Cached (or, without consent, the page's segments known): answer at once; the tag's answer for this page view
    // refreshes the cache for the next auction.
    if (now || (!allowed && site)) {
      if (site) addSiteData(request.ortb2Fragments.global, site);
      if (now) enrich(request.ortb2Fragments, now, o);
      callback();
      return;
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      callback();
    };
    // Never past the auction's own delay; Prebid gives it as `timeout` (0 when the auction does not wait).
    setTimeout(finish, timeout > 0 ? Math.min(o.waitMs, timeout) : 0);
    tagProfile(window).then((page) => {
      // Without consent nothing about the user is kept or sent; the page's segments still go.
      const p = allowed ? learn(o, page) : undefined;
      if (!allowed && page) site = readSiteData(page);
      if (!done) {
        if (site) addSiteData(request.ortb2Fragments.global, site);
        if (p) enrich(request.ortb2Fragments, p, o);
      }
      finish();
    });
  },
  getTargetingData(adUnitCodes: string[], config: ProviderConfig, consent: Consent) {
    const o = options ?? readOptions(config.params);
    if (!enrichmentAllowed(consent, GVLID)) return {};
    return adUnitTargeting(adUnitCodes, cached(o)?.gpt ?? {});
  },
  onDataDeletionRequest(config: ProviderConfig): void {
    const o = options ?? readOptions(config.params);
    const edge = edgeOf(o);
    known.delete(edge);
    storage.removeDataFromLocalStorage(cacheKey(edge));
    tagOptout(window);
  },
};

submodule("realTimeData", udnSubmodule as never);
