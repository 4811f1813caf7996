/** The device class of a request (mobile, tablet, desktop), from client hints when sent, else the user agent. */

export type DeviceClass = "mobile" | "tablet" | "desktop";
export const DEVICE_CLASSES: readonly DeviceClass[] = ["mobile", "tablet", "desktop"];

/**
 * @param mobileHint the `Sec-CH-UA-Mobile` header (`?1` or `?0`), which Chromium sends on every request
 * @param userAgent the `User-Agent` header
 */
export function deviceClass(mobileHint: string | undefined, userAgent: string | undefined): DeviceClass {
  const ua = userAgent ?? "";
  // Tablets first: an iPad or Android tablet may claim a mobile-free UA, and the hint says only mobile or not.
  if (/iPad|Tablet|PlayBook|Silk|Android(?!.*Mobile)/i.test(ua)) return "tablet";
  if (mobileHint === "?1") return "mobile";
  if (mobileHint === "?0") return "desktop";
  return /Mobi|iPhone|iPod|Android|Windows Phone/i.test(ua) ? "mobile" : "desktop";
}
