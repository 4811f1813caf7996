/** Reads the raw event log back from the EVENTS bucket, line by line. */
import { env } from "cloudflare:workers";

export interface LogLine {
  uid: string;
  id: string;
  type: string;
  ts: number;
  props: Record<string, unknown>;
  received: number;
  gdpr?: string;
  gdpr_consent?: string;
  gpc?: boolean;
}

export async function readLog(): Promise<{ key: string; lines: LogLine[] }[]> {
  const out = [];
  for (const o of (await env.EVENTS.list({ prefix: "events/" })).objects) {
    const body = (await env.EVENTS.get(o.key))!.body.pipeThrough(new DecompressionStream("gzip"));
    const text = await new Response(body).text();
    out.push({
      key: o.key,
      lines: text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogLine),
    });
  }
  return out;
}

/** Every logged line of one user. */
export async function linesOf(uid: string): Promise<LogLine[]> {
  return (await readLog()).flatMap((o) => o.lines).filter((l) => l.uid === uid);
}
