/** A bounded memo that forgets its oldest entries first; a hit is a plain Map get and reorders nothing. */
export class FifoMemo<V> {
  private readonly map = new Map<string, V>();
  /**
   * Keys in the order they came, the oldest at `dropped`. The Map's own order would do, but finding its oldest takes
   * a new iterator each time, stepping over the slots earlier drops left: ~6 µs a drop at 50,000 entries, against
   * ~1 µs this way (a loop in workerd).
   */
  private arrivals: string[] = [];
  private dropped = 0;

  /** @param maxEntries mutable: the soak shrinks it to reach the bound within minutes */
  constructor(public maxEntries: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    if (this.map.has(key)) {
      this.map.set(key, value);
      return;
    }
    while (this.map.size >= this.maxEntries && this.dropped < this.arrivals.length) this.map.delete(this.arrivals[this.dropped++]!);
    // Dropped keys are cut off the array's front once they are half of it: each key is copied at most once.
    if (this.dropped > 1024 && this.dropped * 2 > this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.dropped);
      this.dropped = 0;
    }
    this.map.set(key, value);
    this.arrivals.push(key);
  }

  size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.arrivals = [];
    this.dropped = 0;
  }
}
