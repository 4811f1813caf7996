/** The event-log queue's consumer: writes each batch of accepted events as gzip NDJSON objects, one per hour partition. */
import { type EventLogMessage, type LogLine, logLines, objectKey, partitionOf } from "../domain/event-log-format";
import { errorText, logEvent } from "../domain/log";

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

async function digestOf(ids: string[]): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(ids.sort().join("\n")));
  return [...new Uint8Array(d).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function writeEventLog(batch: MessageBatch<EventLogMessage>, env: Env): Promise<void> {
  const byPartition = new Map<string, LogLine[]>();
  for (const line of logLines(batch.messages.map((m) => m.body))) {
    const p = partitionOf(line.received);
    const lines = byPartition.get(p);
    if (lines) lines.push(line);
    else byPartition.set(p, [line]);
  }
  const digest = await digestOf(batch.messages.map((m) => m.id));
  try {
    for (const [partition, lines] of byPartition) {
      const body = await gzip(`${lines.map((l) => l.text).join("\n")}\n`);
      await env.EVENTS.put(objectKey(partition, lines[0]!.received, digest), body, {
        httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
      });
    }
    batch.ackAll();
  } catch (e) {
    // Objects already written are written again on the retry, under the same keys if the batch is the same.
    logEvent("error", "event log write failed", { messages: batch.messages.length, error: errorText(e) });
    batch.retryAll({ delaySeconds: 10 });
  }
}
