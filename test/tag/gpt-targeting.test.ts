/** GPT key-values from the edge's answer, within GPT's limits. */
import { describe, expect, it, vi } from "vitest";
import { type GptWindow, gptTargeting, pushTargeting } from "../../tag/gpt-targeting";

describe("GPT key-values", () => {
  it("keeps keys and values within GPT's limits", () => {
    expect(gptTargeting({ udn: ["806", "244", "udn-engaged"] })).toEqual({ udn: ["806", "244", "udn-engaged"] });
    expect(gptTargeting({ udn: "806" })).toEqual({ udn: ["806"] });
    expect(gptTargeting({ udn: [806] })).toEqual({ udn: ["806"] });
  });

  it("drops keys longer than 10 characters, starting with a digit, empty or with a forbidden character", () => {
    const kv = { abcdefghijk: ["1"], "1abc": ["1"], "": ["1"], "a b": ["1"], "a=b": ["1"], "a[": ["1"], abcdefghij: ["1"] };
    expect(gptTargeting(kv)).toEqual({ abcdefghij: ["1"] });
  });

  it("drops values longer than 40 characters or with a forbidden character or space", () => {
    const bad = [
      "x".repeat(41),
      "a b",
      'a"b',
      "a'b",
      "a=b",
      "a!b",
      "a+b",
      "a#b",
      "a*b",
      "a~b",
      "a;b",
      "a^b",
      "a(b",
      "a)b",
      "a<b",
      "a>b",
      "a[b",
      "a]b",
      "",
      null,
      {},
    ];
    expect(gptTargeting({ udn: [...bad, "x".repeat(40), "ok-1_2.3"] })).toEqual({ udn: ["x".repeat(40), "ok-1_2.3"] });
  });

  it("gives nothing for an answer that is not an object", () => {
    expect(gptTargeting(null)).toEqual({});
    expect(gptTargeting("udn=806")).toEqual({});
  });

  it("queues on googletag.cmd before GPT has loaded; GPT runs it, clearing keys with no value", () => {
    const win: GptWindow = {};
    pushTargeting(win, { udn: ["806"], old: [] });
    const pubads = { setTargeting: vi.fn(), clearTargeting: vi.fn() };
    // What GPT does when it loads: run the queued functions with its API in place.
    const queued = win.googletag!.cmd as unknown as (() => void)[];
    win.googletag!.pubads = () => pubads;
    queued.forEach((fn) => fn());
    expect(pubads.setTargeting).toHaveBeenCalledWith("udn", ["806"]);
    expect(pubads.clearTargeting).toHaveBeenCalledWith("old");
  });

  it("keeps the page's own queue and GPT's loaded cmd", () => {
    const ran: string[] = [];
    const pubads = { setTargeting: (k: string) => ran.push(k), clearTargeting: () => {} };
    // Loaded GPT replaces cmd with an object whose push runs the function at once.
    const win: GptWindow = { googletag: { cmd: { push: (fn: () => void) => fn() }, pubads: () => pubads } };
    pushTargeting(win, { udn: ["806"] });
    expect(ran).toEqual(["udn"]);
  });
});
