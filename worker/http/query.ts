/**
 * A request's query parameters, split once and shared by everything that reads them (format, page, consent, eids):
 * a lookup reads up to ten, and scanning the query for each costs more than the answer's own work.
 */

/** The first value of each name, decoded as URLSearchParams decodes (`+` is a space); undefined when absent. */
export interface Query {
  get(name: string): string | undefined;
}

const NONE: Query = { get: () => undefined };

function decode(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  const spaced = s.replaceAll("+", " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A malformed escape is kept as sent, as URLSearchParams keeps it.
    return spaced;
  }
}

class Params implements Query {
  private readonly raw = new Map<string, string>();
  constructor(text: string) {
    for (const pair of text.split("&")) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const key = decode(eq < 0 ? pair : pair.slice(0, eq));
      if (!this.raw.has(key)) this.raw.set(key, eq < 0 ? "" : pair.slice(eq + 1));
    }
  }
  get(name: string): string | undefined {
    const v = this.raw.get(name);
    return v === undefined ? undefined : decode(v);
  }
}

/** The last URL read: one request's readers all ask for the same URL, one after the other. */
let last: { url: string; query: Query } | undefined;

export function queryOf(url: string): Query {
  if (last?.url === url) return last.query;
  const q = url.indexOf("?");
  const query = q < 0 || q === url.length - 1 ? NONE : new Params(url.slice(q + 1));
  last = { url, query };
  return query;
}
