/** An operator document replaced whole (segment rules, context rules): read, parsed, compiled, and refused unless its version grows. */
import { UdnError } from "../../domain/input-error";
import { readText } from "../http/request-limits";

const MAX_DOCUMENT_BYTES = 256 * 1024;

/**
 * @param compile throws an error naming the bad field (a 400)
 * @param stored reads the document in KV now (null: none), once the new one has compiled
 * @returns the document to store (re-serialised) and its compiled form; 400, 409 or 413 otherwise
 */
export async function acceptDocument<T extends { version: number }>(
  req: Request,
  compile: (doc: unknown) => T,
  stored: () => Promise<string | null>,
): Promise<{ text: string; compiled: T }> {
  const text = await readText(req, MAX_DOCUMENT_BYTES);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UdnError(400, "document is not valid JSON");
  }
  let compiled: T;
  try {
    compiled = compile(doc);
  } catch (e) {
    throw new UdnError(400, e instanceof Error ? e.message : String(e));
  }
  const current = await stored();
  const currentVersion = current ? (JSON.parse(current) as { version: number }).version : 0;
  if (compiled.version <= currentVersion) throw new UdnError(409, `version must be greater than the current version ${currentVersion}`);
  return { text: JSON.stringify(doc), compiled };
}
