/** Our IAB Global Vendor List id, the edge's CONSENT_VENDOR_ID: Prebid's TCF enforcement looks it up by our module's name. */
export const GVLID = 1234;
