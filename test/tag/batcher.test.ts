/** The tag's batcher: window, spacing and the bound on held events. */
import { describe, expect, it } from "vitest";
import { createBatcher, GAP_MS, MAX_PENDING, WINDOW_MS } from "../../tag/batcher";
import { encodeEvent } from "../../tag/event-batch";

/** A batcher on a manual clock: `advance` runs the timers that fall due. */
function harness(consent: { can: boolean | null } = { can: true }) {
  let now = 1_000;
  let timers: { at: number; fn: () => void }[] = [];
  const sent: { at: number; ids: string[] }[] = [];
  const batcher = createBatcher({
    canSend: () => consent.can,
    send: (body) => sent.push({ at: now, ids: (JSON.parse(body) as { events: { id: string }[] }).events.map((e) => e.id) }),
    setTimer: (fn, ms) => timers.push({ at: now + ms, fn }),
    now: () => now,
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.fn();
    }
    now = until;
  };
  let n = 0;
  const add = (count = 1) => {
    for (let i = 0; i < count; i++) batcher.add(encodeEvent(`e${n++}`, "view", {}, now)!);
  };
  return { batcher, sent, advance, add, timers: () => timers.length, now: () => now };
}

describe("the batcher", () => {
  it("sends what was tracked within the window as one body", () => {
    const h = harness();
    h.add(2);
    h.advance(WINDOW_MS - 1);
    h.add();
    expect(h.sent).toEqual([]);
    h.advance(1);
    expect(h.sent).toEqual([{ at: 1_000 + WINDOW_MS, ids: ["e0", "e1", "e2"] }]);
  });

  it("spaces timed sends so a busy page stays under the edge's 20 requests per 10 s", () => {
    const h = harness();
    // One event every 50 ms for 10 s.
    for (let t = 0; t < 10_000; t += 50) {
      h.add();
      h.advance(50);
    }
    h.advance(GAP_MS);
    expect(h.sent.length).toBeLessThanOrEqual(Math.ceil(10_000 / GAP_MS) + 1);
    expect(h.sent.length).toBeLessThan(20);
    for (let i = 1; i < h.sent.length; i++) expect(h.sent[i]!.at - h.sent[i - 1]!.at).toBeGreaterThanOrEqual(GAP_MS);
    expect(h.sent.flatMap((s) => s.ids)).toHaveLength(200);
  });

  it("splits a large window into bodies of at most 50 events", () => {
    const h = harness();
    h.add(120);
    h.advance(WINDOW_MS);
    expect(h.sent.map((s) => s.ids.length)).toEqual([50, 50, 20]);
  });

  it("flushes at once when asked (page hidden), without waiting for the window", () => {
    const h = harness();
    h.add(3);
    h.batcher.flush();
    expect(h.sent).toHaveLength(1);
    h.advance(WINDOW_MS);
    expect(h.sent).toHaveLength(1);
  });

  it("holds events while consent is pending and sends them once it arrives", () => {
    const consent = { can: null as boolean | null };
    const h = harness(consent);
    h.add(2);
    h.advance(WINDOW_MS);
    h.batcher.flush();
    expect(h.sent).toEqual([]);
    consent.can = true;
    h.batcher.schedule();
    h.advance(WINDOW_MS);
    expect(h.sent).toEqual([{ at: expect.any(Number), ids: ["e0", "e1"] }]);
  });

  it("drops what it holds when sending is not allowed (no consent, opted out)", () => {
    const consent = { can: null as boolean | null };
    const h = harness(consent);
    h.add(2);
    consent.can = false;
    h.batcher.flush();
    consent.can = true;
    h.batcher.flush();
    h.advance(WINDOW_MS);
    expect(h.sent).toEqual([]);
  });

  it("holds at most MAX_PENDING events and says when it refuses one", () => {
    const h = harness({ can: null });
    h.add(MAX_PENDING);
    expect(h.batcher.add(encodeEvent("late", "view", {}, 1)!)).toBe(false);
  });

  it("arms one timer however many events come", () => {
    const h = harness();
    h.add(30);
    expect(h.timers()).toBe(1);
  });
});
