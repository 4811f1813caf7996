/**
 * The page's first call to the edge goes alone. A browser without an id would otherwise send several
 * calls at once, each minting its own id: the events would land on one and the segments be read from another.
 */

/** The longest later calls wait for the first one's answer. */
export const FIRST_CONTACT_WAIT_MS = 3000;

export interface FirstContact {
  /** True once the first call has answered (or failed, or taken too long). */
  open(): boolean;
  /** Runs `call` now if it is the first or the gate is open, else after the first call's answer. */
  run<T>(call: () => Promise<T>): Promise<T>;
}

export function firstContact(setTimer: (fn: () => void, ms: number) => unknown, waitMs = FIRST_CONTACT_WAIT_MS): FirstContact {
  let opened = false;
  let gate: Promise<void> | undefined;
  return {
    open: () => opened,
    run(call) {
      if (opened) return call();
      if (gate) return gate.then(call);
      const first = call();
      gate = new Promise<void>((resolve) => {
        const done = () => {
          opened = true;
          resolve();
        };
        first.then(done, done);
        setTimer(done, waitMs);
      });
      return first;
    },
  };
}
