/** A lookup's answer, the same whichever path gives it (the app's routes or the hot path): its format, body and headers. */
import { getQueryParam } from "hono/utils/url";
import type { Eid } from "../../domain/identity/eids";
import type { SegmentRef } from "../../domain/profile-record";
import { type Format, parseFormat, renderSegments } from "../../domain/segment-formats";
import type { Lookup } from "./profile-lookup";

const JSON_FORMAT: { format: Format; callback?: string } = { format: "json" };

/** The `format` and `callback` query parameters of `url`, checked (a 400 UdnError when wrong). */
export function lookupFormat(url: string): { format: Format; callback?: string } {
  if (!url.includes("?")) return JSON_FORMAT;
  return parseFormat(getQueryParam(url, "format") as string | undefined, getQueryParam(url, "callback") as string | undefined);
}

/** A lookup's body and its content type; `context`: the page's segments; `eids`: the user's ids, when the answer carries them. */
export function lookupBody(
  env: Env,
  l: Lookup,
  format: Format,
  callback: string | undefined,
  context: readonly SegmentRef[],
  eids: readonly Eid[] = [],
): [string, string] {
  return renderSegments(l.profile, format, { providerName: env.PROVIDER_NAME, gptKey: env.GPT_KEY }, callback, context, eids);
}

function timing(l: Pick<Lookup, "outcome" | "kvMs">): string {
  return l.kvMs === undefined ? `cache;desc=${l.outcome}` : `cache;desc=${l.outcome}, kv;dur=${l.kvMs}`;
}

/** A lookup's headers, besides CORS. */
export function lookupHeaders(l: Pick<Lookup, "outcome" | "kvMs" | "degraded">, format: Format, type: string): Record<string, string> {
  // One header record for the whole answer: each header set is a call into the runtime.
  const headers: Record<string, string> = { "Content-Type": type, "Cache-Control": "private, no-store", "Server-Timing": timing(l) };
  if (l.degraded) headers["X-UDN-Degraded"] = l.degraded;
  if (format === "js") headers["X-Content-Type-Options"] = "nosniff";
  return headers;
}
