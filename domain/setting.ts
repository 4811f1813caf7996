/** Reading a deployment's vars: a missing one takes its default, a malformed or absurd one is a configuration error, never a guess. */

/** A var that cannot be used as set: answered as a 500 naming the var (never its value) and logged. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function isConfigError(e: unknown): e is ConfigError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "ConfigError";
}

export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** The value when the var is unset or empty; without one, an unset var is an error too. */
  fallback?: number;
}

export function numberSetting(name: string, raw: string | undefined, r: NumberRange): number {
  if (raw === undefined || raw.trim() === "") {
    if (r.fallback !== undefined) return r.fallback;
    throw new ConfigError(`${name} is not set`);
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n < r.min || n > r.max || (r.integer && !Number.isInteger(n))) {
    throw new ConfigError(`${name} must be ${r.integer ? "an integer" : "a number"} from ${r.min} to ${r.max}`);
  }
  return n;
}

/** "true" or "false" (or unset: `fallback`); anything else is an error, not a silent false. */
export function flagSetting(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ConfigError(`${name} must be "true" or "false"`);
}
