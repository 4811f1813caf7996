/** A small per-isolate memo of consent decisions: a page's calls repeat the same strings, and decoding costs 35-100 µs. */
import { FifoMemo } from "../../domain/fifo-memo";
import { decideConsent } from "../../domain/consent/decide";
import type { ConsentSignals } from "../../domain/consent/signals";
import type { ConsentPolicy, ConsentVerdict } from "../../domain/consent/verdict";

export const MAX_ENTRIES = 512;
/** Longer signal sets are decided afresh rather than held: the memo stays under ~1 MB. */
const MAX_KEY_LENGTH = 2048;
const memo = new FifoMemo<ConsentVerdict>(MAX_ENTRIES);

/**
 * decideConsent, remembered for the last MAX_ENTRIES signal sets decided, oldest out first. A hit does not move its
 * key to the Map's end, which costs more the fuller the Map (see read-cache.ts).
 */
export function decideConsentCached(s: ConsentSignals, policy: ConsentPolicy): ConsentVerdict {
  if (s.gdprConsent === undefined && s.gpp === undefined) return decideConsent(s, policy);
  const key = JSON.stringify([policy.vendorId, policy.purposes, s.gpc, s.gdpr, s.gdprConsent, s.usPrivacy, s.gpp, s.gppSid]);
  if (key.length > MAX_KEY_LENGTH) return decideConsent(s, policy);
  const known = memo.get(key);
  if (known) return known;
  const verdict = decideConsent(s, policy);
  memo.set(key, verdict);
  return verdict;
}

/** For tests: how many decisions are held. */
export function cachedDecisions(): number {
  return memo.size();
}
