/**
 * Two local bid adapters for the demo and the browser tests, `alpha` and `beta`: each records the ortb2
 * Prebid gave it (and when) in `window.udnBidders`, then bids a fixed price. Their "server" is a static
 * file on the publisher's own site, so an auction needs no network beyond it.
 */
import { registerBidder } from "../../node_modules/prebid.js/dist/src/src/adapters/bidderFactory.js";

export interface BidderRecord {
  /** The ortb2 this bidder's request carried (global and its own fragment merged by Prebid). */
  ortb2: unknown;
  /** `performance.now()` when Prebid asked the bidder to build its request: the auction's start. */
  at: number;
}

declare global {
  interface Window {
    udnBidders?: Record<string, BidderRecord[]>;
  }
}

interface BidRequest {
  bidId: string;
}

/** `gvlid`: made-up Global Vendor List ids, so that Prebid's TCF enforcement treats each as a vendor a CMP can consent to. */
function recordingBidder(code: string, gvlid: number, cpm: number): void {
  registerBidder({
    code,
    gvlid,
    supportedMediaTypes: ["banner"],
    isBidRequestValid: () => true,
    buildRequests(bidRequests: BidRequest[], bidderRequest: { ortb2?: unknown }) {
      const seen = ((window.udnBidders ??= {})[code] ??= []);
      seen.push({ ortb2: structuredClone(bidderRequest.ortb2 ?? {}), at: performance.now() });
      return [{ method: "GET", url: new URL("/bid.json", location.href).href, data: {}, bidRequests }];
    },
    interpretResponse(_response: unknown, request: { bidRequests: BidRequest[] }) {
      return request.bidRequests.map((b) => ({
        requestId: b.bidId,
        cpm,
        currency: "USD",
        width: 300,
        height: 250,
        ad: `<div>${code}</div>`,
        ttl: 60,
        creativeId: `${code}-1`,
        netRevenue: true,
        meta: { advertiserDomains: ["example.com"] },
      }));
    },
  } as never);
}

recordingBidder("alpha", 9001, 1.5);
recordingBidder("beta", 9002, 1.2);
