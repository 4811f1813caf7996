/** The page parameters the tag sends with its lookup: <meta> tags, the page's own values, the address. */
import { describe, expect, it } from "vitest";
import { pageParams } from "../../tag/page-context";

function doc(metas: Record<string, string>, lang = "") {
  return {
    documentElement: { lang },
    querySelector: (selector: string) => {
      for (const s of selector.split(",")) if (metas[s]) return { content: metas[s] };
      return null;
    },
  };
}

describe("pageParams", () => {
  it("reads section, keywords and language from the page's meta tags and html lang", () => {
    const d = doc({ 'meta[property="article:section"]': "Sport", 'meta[name="keywords"]': "foot,psg" }, "fr-FR");
    expect(pageParams(d, "https://news.example/foot/psg#comments", {})).toEqual({
      url: "https://news.example/foot/psg",
      section: "Sport",
      keywords: "foot,psg",
      lang: "fr-FR",
    });
  });

  it("falls back on meta name=section", () => {
    expect(pageParams(doc({ 'meta[name="section"]': "Auto" }), "https://a.example/", {}).section).toBe("Auto");
  });

  it("lets the page's own values win, keywords as a list or a string", () => {
    const d = doc({ 'meta[name="section"]': "Auto", 'meta[name="keywords"]': "x" }, "en");
    expect(pageParams(d, "https://a.example/", { section: "Sport", keywords: ["a", "b"], lang: "de", url: "https://b.example/p" })).toEqual(
      {
        url: "https://b.example/p",
        section: "Sport",
        keywords: "a,b",
        lang: "de",
      },
    );
  });

  it("leaves out what the page does not say", () => {
    expect(pageParams(doc({}), "https://a.example/p?q=1", {})).toEqual({ url: "https://a.example/p?q=1" });
  });

  it("drops the query of an address longer than the edge takes", () => {
    const long = `https://a.example/p?q=${"x".repeat(3000)}`;
    expect(pageParams(doc({}), long, {}).url).toBe("https://a.example/p");
  });
});
