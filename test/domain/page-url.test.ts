/** Page URL normalisation and the page metadata the tag sends. */
import { describe, expect, it } from "vitest";
import { deviceClass } from "../../domain/context/device-class";
import { normalisePageUrl } from "../../domain/context/normalise-url";
import { pageMetadata } from "../../domain/context/page-context";

const key = (u: string) => normalisePageUrl(u)?.key;

describe("normalisePageUrl", () => {
  it("lowercases the host and keeps the path's case", () => {
    expect(key("https://News.EXAMPLE/Sport/Foot")).toBe("news.example/Sport/Foot");
  });

  it("drops default ports and keeps others", () => {
    expect(key("https://news.example:443/a")).toBe("news.example/a");
    expect(key("http://news.example:80/a")).toBe("news.example/a");
    expect(key("https://news.example:8443/a")).toBe("news.example:8443/a");
  });

  it("drops the fragment", () => {
    expect(key("https://news.example/a#comments")).toBe("news.example/a");
  });

  it("sorts query parameters by name then value", () => {
    expect(key("https://news.example/a?b=2&a=9&a=1")).toBe("news.example/a?a=1&a=9&b=2");
  });

  it("drops utm_* and click-id parameters whatever their case", () => {
    expect(key("https://news.example/a?utm_source=x&UTM_Medium=y&gclid=1&fbclid=2&id=7")).toBe("news.example/a?id=7");
    expect(key("https://news.example/a?utm_campaign=z")).toBe("news.example/a");
  });

  it("gives http and https pages the same key, and a bare host the path /", () => {
    expect(key("http://news.example")).toBe("news.example/");
    expect(key("https://news.example/")).toBe("news.example/");
  });

  it("keeps the parsed parts for the rules", () => {
    expect(normalisePageUrl("https://a.example/x?q=1&utm_x=2")).toEqual({
      host: "a.example",
      path: "/x",
      query: [["q", "1"]],
      key: "a.example/x?q=1",
    });
  });

  it("refuses what is not an absolute http(s) URL, or is too long", () => {
    for (const bad of [
      "",
      "/relative",
      "not a url",
      "ftp://a.example/",
      "javascript:alert(1)",
      "data:text/html,x",
      `https://a.example/${"x".repeat(2100)}`,
    ]) {
      expect(normalisePageUrl(bad)).toBeNull();
    }
  });

  it("normalises unicode hosts to their ASCII form", () => {
    expect(key("https://Bücher.example/")).toBe("xn--bcher-kva.example/");
  });
});

describe("pageMetadata", () => {
  it("trims and lowercases, and counts each keyword once", () => {
    expect(pageMetadata(" Sport ", "Foot, foot ,Ligue 1,,", " EN-GB ")).toEqual({
      section: "sport",
      keywords: ["foot", "ligue 1"],
      lang: "en-gb",
    });
  });

  it("leaves out empty values", () => {
    expect(pageMetadata("  ", undefined, "")).toEqual({ section: undefined, keywords: [], lang: undefined });
  });

  it("keeps at most 20 keywords", () => {
    const many = Array.from({ length: 30 }, (_, i) => `k${i}`).join(",");
    expect(pageMetadata(undefined, many, undefined).keywords).toHaveLength(20);
  });
});

describe("deviceClass", () => {
  const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
  const ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15";
  const androidTablet = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/120 Safari/537.36";
  const androidPhone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36";
  const desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36";

  it("reads the client hint first", () => {
    expect(deviceClass("?1", desktop)).toBe("mobile");
    expect(deviceClass("?0", androidPhone)).toBe("desktop");
  });

  it("falls back on the user agent", () => {
    expect(deviceClass(undefined, iphone)).toBe("mobile");
    expect(deviceClass(undefined, androidPhone)).toBe("mobile");
    expect(deviceClass(undefined, desktop)).toBe("desktop");
    expect(deviceClass(undefined, undefined)).toBe("desktop");
  });

  it("tells tablets apart, hint or not", () => {
    expect(deviceClass(undefined, ipad)).toBe("tablet");
    expect(deviceClass("?0", androidTablet)).toBe("tablet");
  });
});
