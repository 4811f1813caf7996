/** Size limits on every request: URL, headers and cookies checked up front, bodies read with a cap. */
import { createMiddleware } from "hono/factory";
import { UdnError } from "../../domain/input-error";
import type { AppEnv } from "./hono-env";

/** Path plus query. A TC string with all its segments plus a GPP string fits with room to spare. */
export const MAX_URL_BYTES = 8 * 1024;
/** All header names and values together. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Our own cookies take ~100 bytes; the rest is room for cookies of a parent domain we share. */
export const MAX_COOKIE_BYTES = 8 * 1024;
/** The largest body any endpoint takes (the admin segment document); each route caps lower. */
export const MAX_ANY_BODY_BYTES = 256 * 1024;

/**
 * Runs on every request, the hot lookup path included, so it only measures lengths: a request URL is
 * ASCII (non-ASCII is percent-encoded) and header names and values are byte strings, so their
 * string lengths are their sizes in bytes.
 * @param onHeader sees each header on the way, so a caller needs no second pass over them
 * @returns the error to answer with, or undefined when the request is within every limit
 */
export function limitError(
  url: string,
  headers: Iterable<[string, string]>,
  onHeader?: (name: string, value: string) => void,
): UdnError | undefined {
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  if (url.length - pathStart > MAX_URL_BYTES) return new UdnError(414, `URL is longer than ${MAX_URL_BYTES} bytes`);
  let total = 0;
  let length = 0;
  // Iteration gives lower-case names, and each name once (repeated headers joined), as get() would.
  for (const [name, value] of headers) {
    const size = name.length + value.length;
    if (name === "cookie" && size > MAX_COOKIE_BYTES) return new UdnError(431, `Cookie header is larger than ${MAX_COOKIE_BYTES} bytes`);
    if (name === "content-length") length = Number(value);
    onHeader?.(name, value);
    total += size;
  }
  if (total > MAX_HEADER_BYTES) return new UdnError(431, `request headers are larger than ${MAX_HEADER_BYTES} bytes`);
  if (length > MAX_ANY_BODY_BYTES) return new UdnError(413, `body is larger than ${MAX_ANY_BODY_BYTES} bytes`);
  return undefined;
}

export const requestLimits = createMiddleware<AppEnv>(async (c, next) => {
  const error = limitError(c.req.url, c.req.raw.headers);
  if (error) throw error;
  await next();
});

/**
 * Reads a body up to `max` bytes, streaming, so an oversized or endless body costs at most `max`.
 * Content-Length cannot be trusted alone: a chunked body has none.
 */
export async function readBody(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("Content-Length") ?? "0");
  if (declared > max) throw new UdnError(413, `body is larger than ${max} bytes`);
  if (!req.body) return new Uint8Array();
  if (declared > 0) {
    // The runtime holds a body to its Content-Length: within the limit it is read whole, without a stream loop.
    const whole = new Uint8Array(await req.arrayBuffer());
    if (whole.byteLength > max) throw new UdnError(413, `body is larger than ${max} bytes`);
    return whole;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new UdnError(413, `body is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** One decoder for every body: without `stream`, each decode stands alone. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** A body as UTF-8 text; bytes that are not UTF-8 are a 400, not silently replaced. */
export async function readText(req: Request, max: number): Promise<string> {
  const body = await readBody(req, max);
  try {
    return utf8.decode(body);
  } catch {
    throw new UdnError(400, "body is not valid UTF-8");
  }
}
