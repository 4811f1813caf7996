/** Context rules: every condition, their combination, and the validation of the document. */
import { describe, expect, it } from "vitest";
import demoContext from "../../demo/context.json";
import { compileContextRules } from "../../domain/context/compile";
import { CONTENT_TAXONOMY_3_1, isSpecialCategory } from "../../domain/context/content-taxonomy";
import { contextSegments } from "../../domain/context/evaluate";
import { normalisePageUrl } from "../../domain/context/normalise-url";
import type { PageContext } from "../../domain/context/page-context";
import { compileRules } from "../../domain/rules/compile";

function ids(when: object, c: Partial<PageContext> & { href?: string }): string[] {
  const rules = compileContextRules({ version: 1, rules: [{ id: "x", name: "x", when }] });
  const { href, ...rest } = c;
  return contextSegments(rules, { url: href ? normalisePageUrl(href) : null, keywords: [], ...rest }).map((s) => s.id);
}

const holds = (when: object, c: Partial<PageContext> & { href?: string }) => ids(when, c).length === 1;

describe("conditions", () => {
  it("host: exact, or a wildcard for the host and its subdomains", () => {
    expect(holds({ host: ["news.example"] }, { href: "https://NEWS.example/a" })).toBe(true);
    expect(holds({ host: ["news.example"] }, { href: "https://m.news.example/a" })).toBe(false);
    expect(holds({ host: ["*.news.example"] }, { href: "https://m.news.example/a" })).toBe(true);
    expect(holds({ host: ["*.news.example"] }, { href: "https://news.example/a" })).toBe(true);
    expect(holds({ host: ["*.news.example"] }, { href: "https://badnews.example/a" })).toBe(false);
    expect(holds({ host: ["news.example"] }, {})).toBe(false);
  });

  it("pathPrefix: any of the prefixes", () => {
    expect(holds({ pathPrefix: ["/sport/", "/foot"] }, { href: "https://n.example/sport/tennis" })).toBe(true);
    expect(holds({ pathPrefix: ["/sport/"] }, { href: "https://n.example/sports" })).toBe(false);
  });

  it("query: present, or one of the values; tracking parameters never count", () => {
    expect(holds({ query: { cat: true } }, { href: "https://n.example/?cat=" })).toBe(true);
    expect(holds({ query: { cat: ["suv", "4x4"] } }, { href: "https://n.example/?cat=4x4" })).toBe(true);
    expect(holds({ query: { cat: ["suv"] } }, { href: "https://n.example/?cat=van" })).toBe(false);
    expect(holds({ query: { utm_source: true } }, { href: "https://n.example/?utm_source=x" })).toBe(false);
  });

  it("section: case-insensitive", () => {
    expect(holds({ section: ["Sport"] }, { section: "sport" })).toBe(true);
    expect(holds({ section: ["sport"] }, { section: "news" })).toBe(false);
    expect(holds({ section: ["sport"] }, {})).toBe(false);
  });

  it("keywords: any shared keyword", () => {
    expect(holds({ keywords: ["SUV", "4x4"] }, { keywords: ["family", "suv"] })).toBe(true);
    expect(holds({ keywords: ["suv"] }, { keywords: ["sedan"] })).toBe(false);
  });

  it("lang: a primary tag holds for its regions, a region only for itself", () => {
    expect(holds({ lang: ["en"] }, { lang: "en-gb" })).toBe(true);
    expect(holds({ lang: ["en"] }, { lang: "eng" })).toBe(false);
    expect(holds({ lang: ["en-gb"] }, { lang: "en-us" })).toBe(false);
  });

  it("country and region from request.cf", () => {
    expect(holds({ country: ["FR", "BE"] }, { country: "FR" })).toBe(true);
    expect(holds({ country: ["FR"] }, { country: "DE" })).toBe(false);
    expect(holds({ region: ["IDF"] }, { country: "FR", region: "IDF" })).toBe(true);
    expect(holds({ region: ["IDF"] }, {})).toBe(false);
  });

  it("device class", () => {
    expect(holds({ device: ["mobile", "tablet"] }, { device: "tablet" })).toBe(true);
    expect(holds({ device: ["mobile"] }, { device: "desktop" })).toBe(false);
  });

  it("every condition of a rule must hold", () => {
    const when = { host: ["n.example"], pathPrefix: ["/auto"], country: ["FR"] };
    expect(holds(when, { href: "https://n.example/auto/suv", country: "FR" })).toBe(true);
    expect(holds(when, { href: "https://n.example/auto/suv", country: "DE" })).toBe(false);
    expect(holds(when, { href: "https://n.example/sport", country: "FR" })).toBe(false);
  });
});

describe("contextSegments", () => {
  it("gives each segment once with its taxonomy, in rule order", () => {
    const rules = compileContextRules({
      version: 3,
      rules: [
        { id: "533", taxonomy: 9, name: "Soccer", when: { keywords: ["foot"] } },
        { id: "483", taxonomy: 9, name: "Sports", when: { section: ["sport"] } },
        { id: "533", taxonomy: 9, name: "Soccer", when: { pathPrefix: ["/foot"] } },
        { id: "own", name: "Publisher's own", when: { section: ["sport"] } },
      ],
    });
    const c: PageContext = { url: normalisePageUrl("https://n.example/foot/psg"), section: "sport", keywords: ["foot"] };
    expect(contextSegments(rules, c)).toEqual([{ id: "533", taxonomy: 9 }, { id: "483", taxonomy: 9 }, { id: "own" }]);
    expect(contextSegments(rules, { url: null, keywords: [] })).toEqual([]);
  });
});

describe("validation", () => {
  const err = (doc: unknown) => {
    try {
      compileContextRules(doc);
    } catch (e) {
      return (e as Error).message;
    }
    return "compiled";
  };
  const rule = (r: object) => ({ version: 1, rules: [{ id: "1", name: "n", when: { section: ["a"] }, ...r }] });

  it("names the field that is wrong", () => {
    expect(err([])).toBe("document must be a JSON object");
    expect(err({ version: 0, rules: [] })).toBe("version must be a positive integer");
    expect(err({ version: 1 })).toBe("rules must be an array");
    expect(err(rule({ id: "a b" }))).toBe("rules[0].id must match ^[A-Za-z0-9._-]{1,64}$");
    expect(err(rule({ taxonomy: "9" }))).toBe("rules[0].taxonomy must be a positive integer (OpenRTB segtax)");
    expect(err(rule({ name: "" }))).toBe("rules[0].name must be a string of 1 to 200 characters");
    expect(err(rule({ extra: 1 }))).toBe("rules[0].extra is not a field of a context rule (id, taxonomy, name, when)");
    expect(err(rule({ when: {} }))).toMatch(/^rules\[0\]\.when must have at least one of host, /);
    expect(err(rule({ when: { colour: ["red"] } }))).toMatch(/^rules\[0\]\.when\.colour is not a condition/);
    expect(err(rule({ when: { host: ["https://a.example"] } }))).toBe(
      "rules[0].when.host[0] must be a host name such as news.example or *.news.example of at most 100 characters",
    );
    expect(err(rule({ when: { pathPrefix: ["sport"] } }))).toBe(
      "rules[0].when.pathPrefix[0] must be a path starting with / of at most 100 characters",
    );
    expect(err(rule({ when: { country: ["fr"] } }))).toMatch(/^rules\[0\]\.when\.country\[0\] must be an ISO 3166-1/);
    expect(err(rule({ when: { device: ["phone"] } }))).toMatch(/^rules\[0\]\.when\.device\[0\] must be mobile, tablet or desktop/);
    expect(err(rule({ when: { lang: ["EN"] } }))).toMatch(/^rules\[0\]\.when\.lang\[0\] must be a lowercase language tag/);
    expect(err(rule({ when: { section: [] } }))).toBe("rules[0].when.section must be an array of 1 to 100 values");
    expect(err(rule({ when: { query: { cat: "suv" } } }))).toBe("rules[0].when.query.cat must be an array of 1 to 100 values");
    expect(err({ version: 1, rules: Array.from({ length: 501 }, () => ({})) })).toBe("rules has more than 500 entries");
  });

  it("compiles the demo's rules", () => {
    expect(compileContextRules(demoContext).rules).toHaveLength(demoContext.rules.length);
  });

  it("compiles a valid document", () => {
    expect(err(rule({ taxonomy: 9, when: { host: ["*.n.example:8080"], region: ["IDF"], query: { q: true } } }))).toBe("compiled");
  });
});

describe("special category data", () => {
  it("flags the Content Taxonomy 3.1 categories marked SCD, only in that taxonomy", () => {
    expect(isSpecialCategory(CONTENT_TAXONOMY_3_1, "286")).toBe(true); // Medical Health
    expect(isSpecialCategory(CONTENT_TAXONOMY_3_1, "KHPC6A")).toBe(true);
    expect(isSpecialCategory(CONTENT_TAXONOMY_3_1, "533")).toBe(false); // Soccer
    expect(isSpecialCategory(4, "286")).toBe(false);
    expect(isSpecialCategory(undefined, "286")).toBe(false);
  });
});

describe("special category data in user segment rules", () => {
  it("refuses a user segment that is a Special Category Data category of Content Taxonomy 3.1", () => {
    const doc = (id: string, taxonomy: number) => ({
      version: 1,
      segments: [{ id, taxonomy, name: "n", ttl: "1d", rule: { event: "view", within: "1h" } }],
    });
    expect(() => compileRules(doc("286", CONTENT_TAXONOMY_3_1))).toThrow(
      'segments[0].id "286" is Special Category Data in Content Taxonomy 3.1: it may describe a page, never a user',
    );
    // The same id in another taxonomy, and a category that is not special, are fine.
    expect(compileRules(doc("286", 4)).segments).toHaveLength(1);
    expect(compileRules(doc("533", CONTENT_TAXONOMY_3_1)).segments).toHaveLength(1);
  });
});
