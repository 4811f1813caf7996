/** The tag's command queue, replayed from the page's udn array. */
import { describe, expect, it, vi } from "vitest";
import { replay, runCommand } from "../../tag/command-queue";

function api() {
  const calls: unknown[][] = [];
  const a = {
    track: (...args: unknown[]) => calls.push(["track", ...args]),
    segments: () => calls.push(["segments"]),
    push: () => calls.push(["push"]),
  };
  return { a, calls };
}

describe("the command queue", () => {
  it("replays functions and [method, ...args] arrays in the order the page queued them", () => {
    const { a, calls } = api();
    const warn = vi.fn();
    replay([["track", "view", { category: "auto" }], (u: typeof a) => u.segments(), ["track", "purchase"]], a, warn);
    expect(calls).toEqual([["track", "view", { category: "auto" }], ["segments"], ["track", "purchase"]]);
    expect(warn).not.toHaveBeenCalled();
  });

  it("reports and skips what it does not know, and keeps going after a command that throws", () => {
    const { a, calls } = api();
    const warn = vi.fn();
    const boom = () => {
      throw new Error("page bug");
    };
    replay([["nope"], ["push", 1], "track", 42, boom, ["track", "view"]], a, warn);
    expect(calls).toEqual([["track", "view"]]);
    expect(warn).toHaveBeenCalledTimes(5);
    expect(warn).toHaveBeenLastCalledWith("a queued command threw", expect.any(Error));
  });

  it("ignores a queue that is not an array", () => {
    const warn = vi.fn();
    replay(undefined, api().a, warn);
    replay({ length: 1, 0: ["track"] }, api().a, warn);
    expect(warn).not.toHaveBeenCalled();
  });

  it("runs a command pushed after load at once", () => {
    const { a, calls } = api();
    runCommand(a, ["track", "view"], vi.fn());
    expect(calls).toEqual([["track", "view"]]);
  });
});
