/**
 * Measures how long a profile change takes to be seen at every edge. At each location a change counts as
 * seen from the first answer with it (or a newer version) after the last answer without it, so an
 * isolate still holding the old profile keeps the location from counting as converged.
 */

interface Change {
  version: number;
  at: number;
  measured: boolean;
  lastStale: Float64Array;
  firstNew: Float64Array;
}

export interface LagSamples {
  /** Per change: until the last location saw it. */
  everyEdge: number[];
  /** Per change and location. */
  perEdge: number[];
  /** Measured changes some location had not seen by the end of the run. */
  unconverged: number;
}

export class LagTracker {
  private readonly open = new Map<number, Change[]>();

  constructor(private readonly locations: number) {}

  change(user: number, version: number, at: number, measured: boolean): void {
    let list = this.open.get(user);
    if (!list) this.open.set(user, (list = []));
    list.push({
      version,
      at,
      measured,
      lastStale: new Float64Array(this.locations).fill(NaN),
      firstNew: new Float64Array(this.locations).fill(NaN),
    });
  }

  answer(user: number, loc: number, version: number, now: number): void {
    const list = this.open.get(user);
    if (!list) return;
    for (const c of list) {
      if (version < c.version) {
        c.lastStale[loc] = now;
        c.firstNew[loc] = NaN;
      } else if (Number.isNaN(c.firstNew[loc])) {
        c.firstNew[loc] = now;
      }
    }
  }

  samples(): LagSamples {
    const out: LagSamples = { everyEdge: [], perEdge: [], unconverged: 0 };
    for (const list of this.open.values()) {
      for (const c of list) {
        if (!c.measured) continue;
        const lags = Array.from(c.firstNew, (t) => t - c.at);
        if (lags.some(Number.isNaN)) {
          out.unconverged++;
          continue;
        }
        out.perEdge.push(...lags);
        out.everyEdge.push(Math.max(...lags));
      }
    }
    return out;
  }
}
