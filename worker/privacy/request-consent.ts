/** The consent signals a browser request carries (query parameters and Sec-GPC), read the same way on every path. */
import { CONSENT_PARAMS, type ConsentSignals, readConsentSignals } from "../../domain/consent/signals";
import { queryOf } from "../http/query";

/** A query that could name a consent parameter: one of their names, or a % that could spell one. */
const CONSENT_HINT = new RegExp([...CONSENT_PARAMS, "%"].join("|"));

/** The signals of a request to `url`; the query is parsed only when it could carry one (most lookups carry none). */
export function requestSignals(url: string, secGpc: string | undefined): ConsentSignals {
  const q = url.indexOf("?");
  const text = q < 0 ? "" : url.slice(q + 1);
  return readConsentSignals(CONSENT_HINT.test(text) ? queryOf(url) : undefined, secGpc);
}
