/** The one error shape every endpoint answers with: `{"error": "..."}` and a 4xx/5xx status. */
/** The statuses this service answers errors with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 422 | 429 | 431 | 500 | 503;

export class UdnError extends Error {
  override readonly name = "UdnError";
  constructor(
    readonly status: ErrorStatus,
    message: string,
  ) {
    super(message);
  }
}

/** `instanceof` fails across RPC and realms, so callers test the name. */
export function isUdnError(e: unknown): e is UdnError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "UdnError";
}

export function errorBody(message: string): string {
  return JSON.stringify({ error: message });
}
