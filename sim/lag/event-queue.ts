/** The simulation's virtual clock: a binary heap of timed actions, run in time order (ties in insertion order). */

interface Item {
  at: number;
  seq: number;
  run: (now: number) => void;
}

export class EventQueue {
  private readonly heap: Item[] = [];
  private seq = 0;
  now = 0;

  at(time: number, run: (now: number) => void): void {
    const item = { at: time, seq: this.seq++, run };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = item;
  }

  /** Runs every action due up to `end` (inclusive), including those scheduled on the way. */
  runUntil(end: number): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.at <= end) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) this.siftDown(last);
      this.now = top.at;
      top.run(top.at);
    }
    this.now = end;
  }

  private siftDown(item: Item): void {
    const h = this.heap;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[child]!, item)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = item;
  }
}

function before(a: Item, b: Item): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
