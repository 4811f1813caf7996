/** The one way this service writes log lines: JSON, and never a uid, an IP address or a secret. */

/** Fields a log line may carry: counts, flags and short fixed names chosen by the code, never request data. */
export type LogFields = Record<string, number | boolean | string | null>;

const REDACTIONS: [RegExp, string][] = [
  // KV keys name the user: `u:<uid>`.
  [/\bu:[^\s"',;)]+/g, "u:<uid>"],
  // Bearer tokens and cookie values, should an error message quote a header.
  [/\b(Bearer|udn_id=)\s*[^\s"',;)]+/gi, "$1<redacted>"],
  [/\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b/g, "<ip>"],
  // IPv6, compressed or not (this also hides clock times such as 12:30:45, which is acceptable).
  [/\b[0-9a-f]{1,4}(?::{1,2}[0-9a-f]{0,4}){2,7}/gi, "<ip>"],
  // Anything id- or key-like: long runs of base64url or hex (our uids are 22 such characters).
  [/[A-Za-z0-9_-]{20,}/g, "<id>"],
];

/** An error's text with anything that could identify a user or leak a secret replaced. */
export function redact(text: string): string {
  let out = text.slice(0, 500);
  for (const [pattern, replacement] of REDACTIONS) out = out.replace(pattern, replacement);
  return out;
}

/** The loggable form of an error: its name and redacted message. */
export function errorText(e: unknown): string {
  return redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}

export function logEvent(level: "log" | "warn" | "error", msg: string, fields: LogFields = {}): void {
  const safe: LogFields = {};
  for (const [k, v] of Object.entries(fields)) safe[k] = typeof v === "string" ? redact(v) : v;
  console[level](JSON.stringify({ msg, ...safe }));
}
