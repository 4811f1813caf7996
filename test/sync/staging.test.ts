/** Staging a gzip part as plain objects cut at slice boundaries; the event log's keys and lines. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { logLines, objectKey, partitionOf } from "../../domain/event-log-format";
import type { PlannedSlice } from "../../domain/sync-messages";
import { PartScanner, type PartScannerOptions } from "../../sync/part-scanner";
import { StagingWriter } from "../../sync/staging";

const scanner = (records: number, more: Partial<PartScannerOptions> = {}) =>
  new PartScanner({ records, bytes: 1e9, maxLine: 1_000, maxBlankRun: 1e9, ...more });

describe("staging a decompressed part", () => {
  it("writes objects cut at slice boundaries whose ranges give back every slice exactly", async () => {
    const lines = Array.from({ length: 101 }, (_, i) => JSON.stringify({ uid: `u${i}`, segments: ["x".repeat(i % 13)] }));
    const bytes = new TextEncoder().encode(`${lines.join("\n")}\n`);
    const scan = scanner(7);
    const writer = new StagingWriter(env.ORIGIN, "edge-staging/test/", 300);
    const planned: PlannedSlice[] = [];
    for (let i = 0; i < bytes.length; i += 97) {
      const chunk = bytes.subarray(i, i + 97);
      planned.push(...(await writer.add(chunk, scan.push(chunk))));
    }
    planned.push(...(await writer.end(scan.end())));

    expect(planned.map((s) => s.slice)).toEqual([...Array(15).keys()]);
    expect(planned.reduce((n, s) => n + s.records, 0)).toBe(101);
    expect(new Set(planned.map((s) => s.src)).size).toBeGreaterThan(3);
    let text = "";
    for (const s of planned) {
      expect(s.offset === 0 || planned.some((p) => p.src === s.src && p.offset + p.length === s.offset)).toBe(true);
      const obj = await env.ORIGIN.get(s.src, { range: { offset: s.offset, length: s.length }, onlyIf: { etagMatches: s.etag } });
      text += await (obj as R2ObjectBody).text();
    }
    expect(text).toBe(`${lines.join("\n")}\n`);
  });

  it("holds at most one object, one open slice and one chunk, however many records a slice has", async () => {
    // 900 records of ~900 bytes: one slice of ~800 KB by count alone, cut by bytes instead.
    const line = (i: number) => JSON.stringify({ uid: `u${i}`, segments: ["x".repeat(880)] });
    const bytes = new TextEncoder().encode(`${Array.from({ length: 900 }, (_, i) => line(i)).join("\n")}\n`);
    const [stage, slice, maxLine, chunkSize] = [20_000, 10_000, 1_000, 4_096];
    const scan = scanner(900, { bytes: slice, maxLine });
    const writer = new StagingWriter(env.ORIGIN, "edge-staging/test-bounded/", stage);
    const planned: PlannedSlice[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) {
      const chunk = bytes.subarray(i, i + chunkSize);
      planned.push(...(await writer.add(chunk, scan.push(chunk))));
    }
    planned.push(...(await writer.end(scan.end())));
    expect(planned.reduce((n, s) => n + s.records, 0)).toBe(900);
    expect(Math.max(...planned.map((s) => s.length))).toBeLessThan(slice + maxLine);
    expect(writer.maxBuffered).toBeGreaterThan(stage);
    expect(writer.maxBuffered).toBeLessThanOrEqual(stage + slice + maxLine + chunkSize);
  });
});

describe("event log format", () => {
  it("partitions by UTC hour and names objects so they sort by time", () => {
    const t = Date.UTC(2026, 10, 26, 23, 59, 59, 999);
    expect(partitionOf(t)).toBe("events/dt=2026-11-26/hr=23/");
    expect(partitionOf(t + 1)).toBe("events/dt=2026-11-27/hr=00/");
    expect(objectKey(partitionOf(t), t, "abcdef012345")).toBe(`events/dt=2026-11-26/hr=23/${t}-abcdef012345.ndjson.gz`);
    expect(objectKey("p/", 5, "d")).toBe("p/0000000000005-d.ndjson.gz");
  });

  it("orders lines by receive time, keeping each request's own order", () => {
    const group = (uid: string, received: number, ids: string[]) => ({
      uid,
      received,
      signals: { gdpr: "1" },
      events: ids.map((id) => ({ id, type: "view", ts: 1, props: {} })),
    });
    const lines = logLines([
      { groups: [group("a", 20, ["a1", "a2"])] },
      { groups: [group("b", 10, ["b1", "b2"]), group("c", 20, ["c1"])] },
    ]);
    expect(lines.map((l) => (JSON.parse(l.text) as { id: string }).id)).toEqual(["b1", "b2", "a1", "a2", "c1"]);
    expect(JSON.parse(lines[0]!.text)).toEqual({ uid: "b", id: "b1", type: "view", ts: 1, props: {}, received: 10, gdpr: "1" });
  });
});
