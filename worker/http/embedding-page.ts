/**
 * The page behind a <script> or <img> request. CORS cannot protect what a script tag reads (`format=js`) or stop what an
 * image records (the pixel): such requests carry no Origin, so the page is checked against ALLOWED_ORIGINS here.
 */
import { checkEmbeddingPage } from "../settings";
import { originAllowed } from "./cors";

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * @param secFetchSite `Sec-Fetch-Site`, which browsers set and pages cannot
 * @param referer the page's URL or origin (browsers send at least the origin cross-site unless the page forbids it)
 */
export function embeddingPageAllowed(env: Env, secFetchSite: string | undefined, referer: string | undefined): boolean {
  if (!checkEmbeddingPage(env)) return true;
  // The edge's own pages, and a URL typed into the address bar.
  if (secFetchSite === "same-origin" || secFetchSite === "none") return true;
  if (referer) {
    const origin = originOf(referer);
    return origin !== undefined && originAllowed(origin, env);
  }
  // A browser (it sends Sec-Fetch-Site) whose page hides itself cannot be shown to be listed. A request without
  // fetch metadata is a server or an old browser: a server can forge any header, so refusing it protects nothing.
  return secFetchSite === undefined;
}
