/** A generated event log in the edge's own layout and line format: Zipf users, views, clicks and purchases, some duplicates, a few erasures. */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { uidFor, zipf } from "../bench/ids.mjs";

export const CATEGORIES = ["auto", "sports", "travel", "electronics", "news", "fashion", "finance", "food"];
const DAY_MS = 86_400_000;

/** `events/dt=YYYY-MM-DD/hr=HH/`: domain/event-log-format.ts partitionOf (the tests hold the two together). */
export function partitionOf(received) {
  const iso = new Date(received).toISOString();
  return `events/dt=${iso.slice(0, 10)}/hr=${iso.slice(11, 13)}/`;
}

/** domain/event-log-format.ts objectKey. */
export function objectKey(partition, firstReceived, digest) {
  return `${partition}${String(firstReceived).padStart(13, "0")}-${digest}.ndjson.gz`;
}

/** The uid of the user of Zipf rank `rank` (0 is the busiest) in the log of `seed`. */
export const sampleUid = (rank, seed = 7) => uidFor(`batch-${seed}-${rank}`);

/** xorshift32 in [0, 1): the same log for the same seed. */
function random(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * Writes `events` lines spread evenly over the `days` before `end`, in receive order, `perObject` lines to an object.
 * Each user leans to one category (60 % of their views); 80 % views, 12 % clicks, 8 % purchases with a value; views and
 * clicks name one of 97 pages of their category (so the page files find pages read by many); about 1 in
 * 200 lines is sent twice (a redelivery) and 1 in 20,000 is an erasure of its user (never the busiest, whom the demo shows).
 * @param {import("./buckets.mjs").Bucket} bucket
 * @param {{ events: number, users: number, end: number, days?: number, perObject?: number, seed?: number,
 *   onObject?: (written: number) => void }} options
 * @returns {Promise<{ objects: number, lines: number }>}
 */
export async function writeSampleLog(bucket, { events, users, end, days = 30, perObject = 5000, seed = 7, onObject }) {
  const rand = random(seed);
  const draw = zipf(users, 1.0, seed);
  const uids = new Map();
  const uidOf = (rank) => {
    let u = uids.get(rank);
    if (!u) uids.set(rank, (u = sampleUid(rank, seed)));
    return u;
  };
  const start = end - days * DAY_MS;
  const step = (days * DAY_MS) / Math.max(1, events);
  let lines = [];
  let first = 0;
  let objects = 0;
  let written = 0;
  const flush = async () => {
    if (!lines.length) return;
    const digest = createHash("sha256").update(`${seed}-${objects}`).digest("hex").slice(0, 12);
    await bucket.put(objectKey(partitionOf(first), first, digest), gzipSync(`${lines.join("\n")}\n`, { level: 1 }), "application/x-ndjson");
    objects++;
    written += lines.length;
    lines = [];
    onObject?.(written);
  };
  for (let i = 0; i < events; i++) {
    const received = Math.floor(start + i * step);
    // A new object at the line limit, and at an hour's end: objects never span partitions.
    if (lines.length && (lines.length >= perObject || partitionOf(received) !== partitionOf(first))) await flush();
    if (!lines.length) first = received;
    const rank = draw();
    const uid = uidOf(rank);
    const r = rand();
    let line;
    if (r < 0.00005 && rank > 0) line = { uid, id: `erase-${received}`, type: "erase", ts: received, props: {}, received };
    else {
      const category = rand() < 0.6 ? CATEGORIES[rank % CATEGORIES.length] : CATEGORIES[Math.floor(rand() * CATEGORIES.length)];
      const type = r < 0.8 ? "view" : r < 0.92 ? "click" : "purchase";
      const props =
        type === "purchase"
          ? { category, value: Math.round(5 + rand() * 795) }
          : { category, url: `https://news.example/${category}/${i % 97}` };
      line = { uid, id: `e${i}`, type, ts: received - Math.floor(rand() * 2000), props, received };
    }
    const text = JSON.stringify(line);
    lines.push(text);
    if (rand() < 0.005) lines.push(text);
  }
  await flush();
  return { objects, lines: written };
}
