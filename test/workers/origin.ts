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

export type Rec = { uid: string; segments: string[] } | { uid: string; delete: true };

/** Writes each list of records as one part and then the manifest naming them. */
export async function publishVersion(
  version: number,
  parts: Rec[][],
  opts: { kind?: "full" | "delta"; gzip?: boolean; segmentTtl?: string; taxonomy?: number } = {},
): Promise<void> {
  const manifestParts = [];
  for (const [i, recs] of parts.entries()) {
    let bytes = new TextEncoder().encode(recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
    if (opts.gzip) bytes = await gzip(bytes);
    const key = `batches/v${version}/part-${i}.ndjson${opts.gzip ? ".gz" : ""}`;
    await env.ORIGIN.put(key, bytes);
    manifestParts.push({ key, records: recs.length, sha256: await sha256Hex(bytes) });
  }
  const manifest = { version, kind: opts.kind ?? "full", parts: manifestParts, segmentTtl: opts.segmentTtl ?? "3d", ...(opts.taxonomy ? { taxonomy: opts.taxonomy } : {}) };
  await env.ORIGIN.put("manifests/latest.json", JSON.stringify(manifest));
}
