/**
 * Verifies one part before anything of it is applied: its sha256 and record count must match the
 * manifest. On the way it plans the part's slices (byte ranges), staging gzip parts as plain NDJSON.
 * Memory stays bounded by one chunk plus one staged object, whatever the part's size or what it inflates to.
 */

import { stagingPrefix } from "../domain/staging-keys";
import {
  MAX_BLANK_RUN_BYTES,
  MAX_LINE_BYTES,
  type PlannedSlice,
  RECORDS_PER_SLICE,
  SLICE_BYTES,
  type VerifyMessage,
} from "../domain/sync-messages";
import { coordinator } from "../platform/stubs";
import { inflate } from "./inflate";
import { PartScanner, type Span } from "./part-scanner";
import { StagingWriter } from "./staging";

/** Slices reported to the coordinator per call while the scan goes on. */
const PLAN_BATCH = 1_000;

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hashes a stream, handing each chunk to `each` as it passes; a throwing `each` stops only the handing. */
async function sha256Of(
  stream: ReadableStream<Uint8Array>,
  each?: (chunk: Uint8Array) => Promise<void>,
): Promise<{ sha: string; error?: unknown }> {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  let error: unknown;
  for await (const chunk of stream) {
    await writer.write(chunk);
    if (each && error === undefined) await each(chunk).catch((e: unknown) => void (error = e));
  }
  await writer.close();
  return { sha: hex(await digest.digest), error };
}

/** Errors that the part's own bytes cause: lines too long, or a gzip stream that does not decompress. */
function isDataError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return e.name === "ScanError" || /decompress|gzip|zlib|header check|invalid (block|distance|code)/i.test(e.message);
}

export async function verifyPart(env: Env, msg: VerifyMessage): Promise<void> {
  const coord = coordinator(env);
  const token = await coord.verifyStarted(msg.version, msg.part);
  if (token === null) return; // settled already, or its run is over: a redelivery
  const finish = (reason?: string) =>
    coord.verifyFinished(msg.version, msg.part, token, reason === undefined ? { ok: true } : { ok: false, reason });

  const obj = await env.ORIGIN.get(msg.key);
  if (!obj) return finish(`part ${msg.key} is missing from the origin`);
  const scanner = new PartScanner({
    records: RECORDS_PER_SLICE,
    bytes: SLICE_BYTES,
    maxLine: MAX_LINE_BYTES,
    maxBlankRun: MAX_BLANK_RUN_BYTES,
  });
  const plan: PlannedSlice[] = [];
  let next = 0;
  const report = async (slices: PlannedSlice[]) => {
    plan.push(...slices);
    if (plan.length >= PLAN_BATCH) await coord.planSlices(msg.version, msg.part, token, plan.splice(0));
  };
  const direct = (spans: Span[]): PlannedSlice[] => spans.map((s) => ({ slice: next++, src: msg.key, etag: obj.etag, ...s }));
  const shaMismatch = (sha: string) => `sha256 of ${msg.key} is ${sha}, the manifest says ${msg.sha256}: nothing from it is applied`;

  let scanError: unknown;
  if (msg.key.endsWith(".gz")) {
    // The compressed bytes are hashed first, so a corrupt part is rejected before it is even decompressed.
    const { sha } = await sha256Of(obj.body);
    if (sha !== msg.sha256) return finish(shaMismatch(sha));
    const again = await env.ORIGIN.get(msg.key, { onlyIf: { etagMatches: obj.etag } });
    if (!again || !("body" in again)) throw new Error(`part ${msg.key} changed while it was verified`);
    const staging = new StagingWriter(env.ORIGIN, stagingPrefix(msg.version, msg.part, token));
    try {
      for await (const chunk of inflate(again.body)) {
        await report(await staging.add(chunk, scanner.push(chunk)));
      }
      await report(await staging.end(scanner.end()));
    } catch (e) {
      scanError = e;
    }
  } else {
    const { sha, error } = await sha256Of(obj.body, async (chunk) => report(direct(scanner.push(chunk))));
    if (sha !== msg.sha256) return finish(shaMismatch(sha));
    scanError = error;
    if (scanError === undefined) await report(direct(scanner.end()));
  }
  if (scanError !== undefined) {
    // Bad bytes the manifest vouches for cannot get better by retrying: the part itself is rejected.
    // Anything else (a read or a call that failed) is retried.
    if (!isDataError(scanError)) throw scanError;
    return finish(`${msg.key} is not readable NDJSON${msg.key.endsWith(".gz") ? " (gzip)" : ""}: ${(scanError as Error).message}`);
  }
  if (scanner.records !== msg.records) return finish(`${msg.key} has ${scanner.records} records, the manifest says ${msg.records}`);
  if (plan.length) await coord.planSlices(msg.version, msg.part, token, plan);
  await finish();
}
