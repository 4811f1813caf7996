/** The module's Global Vendor List id is the vendor id the edge checks consent for (CONSENT_VENDOR_ID). */

import { describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { GVLID } from "../../prebid/udn-rtd-gvlid";

describe("the module's gvlid", () => {
  it("equals the edge's CONSENT_VENDOR_ID", () => {
    const vars = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions.bindings as Record<string, string>;
    expect(GVLID).toBe(Number(vars.CONSENT_VENDOR_ID));
  });
});
