/** Parsed vars and secrets, memoised per isolate on the raw strings so the hot path does no parsing. */

function memo<T>(parse: (raw: string) => T): (raw: string) => T {
  let last: { raw: string; value: T } | undefined;
  return (raw) => {
    if (last?.raw !== raw) last = { raw, value: parse(raw) };
    return last.value;
  };
}

const list = (raw: string) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export const allowedOrigins = memo((raw) => new Set(list(raw)));
export const apiKeys = memo(list);

/** The current uid secret first, then the previous one kept during rotation. */
export function uidSecrets(env: Env): string[] {
  return [env.UID_SECRET, env.UID_SECRET_PREVIOUS ?? ""].filter(Boolean);
}

export function cookiePartitioned(env: Env): boolean {
  return env.COOKIE_PARTITIONED === "true";
}
