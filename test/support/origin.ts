/** Writes batch versions into the ORIGIN bucket exactly as the data team's job would. */
import { env } from "cloudflare:workers";

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Gzips `head`, `fill` repeated `times` and `tail` as one stream: a small part that inflates far. */
export async function gzipRepeated(head: Uint8Array, fill: Uint8Array, times: number, tail: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream("gzip");
  const out = new Response(cs.readable).arrayBuffer();
  const w = cs.writable.getWriter();
  await w.write(head);
  for (let i = 0; i < times; i++) await w.write(fill);
  await w.write(tail);
  await w.close();
  return new Uint8Array(await out);
}

export type Rec =
  | { uid: string; segments: string[] }
  | { uid: string; delete: true }
  | { url: string; segments: string[] }
  | { url: string; delete: true };

export interface PublishOptions {
  kind?: "full" | "delta";
  gzip?: boolean;
  segmentTtl?: string;
  taxonomy?: number;
  /** Also write `manifests/v<version>.json` (what origin:publish does). */
  versioned?: boolean;
  /** Write only the versioned manifest, leaving latest.json as it is. */
  skipLatest?: boolean;
  /** Changes a part's bytes after its sha256 was taken (a corrupt upload). */
  corrupt?: number;
}

export function ndjson(recs: Rec[]): Uint8Array {
  return new TextEncoder().encode(`${recs.map((r) => JSON.stringify(r)).join("\n")}\n`);
}

/** Writes each list of records as one part and then the manifest naming them. */
export async function publishVersion(version: number, parts: Rec[][], opts: PublishOptions = {}): Promise<{ keys: string[] }> {
  const manifestParts = [];
  for (const [i, recs] of parts.entries()) {
    let bytes = ndjson(recs);
    if (opts.gzip) bytes = await gzip(bytes);
    const key = `batches/v${version}/part-${i}.ndjson${opts.gzip ? ".gz" : ""}`;
    const sha256 = await sha256Hex(bytes);
    if (opts.corrupt === i) bytes = Uint8Array.from(bytes, (b, j) => (j === Math.floor(bytes.length / 2) ? b ^ 0xff : b));
    await env.ORIGIN.put(key, bytes);
    manifestParts.push({ key, records: recs.length, sha256 });
  }
  const manifest = JSON.stringify({
    version,
    kind: opts.kind ?? "full",
    parts: manifestParts,
    segmentTtl: opts.segmentTtl ?? "3d",
    ...(opts.taxonomy ? { taxonomy: opts.taxonomy } : {}),
  });
  if (opts.versioned || opts.skipLatest) await env.ORIGIN.put(`manifests/v${version}.json`, manifest);
  if (!opts.skipLatest) await env.ORIGIN.put("manifests/latest.json", manifest);
  return { keys: manifestParts.map((p) => p.key) };
}
