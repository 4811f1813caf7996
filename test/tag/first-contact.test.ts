/** The tag's first-contact gate: the first call goes alone, the rest once its answer (and cookie) is back or a wait runs out. */
import { describe, expect, it } from "vitest";
import { firstContact } from "../../tag/first-contact";

/** A promise the test settles by hand, standing for a request in flight. */
function pending<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("the first contact", () => {
  it("goes alone: later calls start only once it has answered, so they carry the id it minted", async () => {
    const started: string[] = [];
    const first = pending<string>();
    const gate = firstContact(() => {});
    const a = gate.run(() => {
      started.push("events");
      return first.promise;
    });
    const b = gate.run(async () => {
      started.push("segments");
      return "b";
    });
    const c = gate.run(async () => {
      started.push("gpt");
      return "c";
    });
    await tick();
    expect(started).toEqual(["events"]);
    expect(gate.open()).toBe(false);
    first.resolve("a");
    expect(await Promise.all([a, b, c])).toEqual(["a", "b", "c"]);
    expect(started).toEqual(["events", "segments", "gpt"]);
    expect(gate.open()).toBe(true);
    await gate.run(async () => started.push("later"));
    expect(started.at(-1)).toBe("later");
  });

  it("opens when the first call fails, and passes the failure only to its own caller", async () => {
    const first = pending<string>();
    const gate = firstContact(() => {});
    const a = gate.run(() => first.promise);
    const b = gate.run(async () => "b");
    first.reject(new TypeError("Failed to fetch"));
    await expect(a).rejects.toThrow("Failed to fetch");
    await expect(b).resolves.toBe("b");
    expect(gate.open()).toBe(true);
  });

  it("opens after a bounded wait when the first call hangs", async () => {
    let fire: () => void = () => {};
    let waited = 0;
    const gate = firstContact((fn, ms) => {
      fire = fn;
      waited = ms;
    });
    void gate.run(() => new Promise<never>(() => {}));
    const b = gate.run(async () => "b");
    expect(waited).toBe(3000);
    fire();
    await expect(b).resolves.toBe("b");
  });
});
