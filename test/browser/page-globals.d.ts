/** What the test pages hold on window, for code the tests run inside them. */
import type { UdnApi } from "../../tag/udn-api";

declare global {
  interface Window {
    udn: UdnApi;
    googletag: { cmd: { push(fn: () => void): unknown } | (() => void)[]; pubads?(): unknown };
    /** Set by a function the page queued before the tag loaded. */
    queuedFunctionRan?: boolean;
    /** How each body went out, from the tag's `udn:sent` events. */
    udnSent?: string[];
  }
}
