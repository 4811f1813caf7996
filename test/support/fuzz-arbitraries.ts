/** fast-check generators of malformed requests: every endpoint's valid request with one thing broken, and plain garbage. */
import { env } from "cloudflare:workers";
import fc from "fast-check";

export interface FuzzCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What a correct service answers: a JSON error with this status naming the problem, or the pixel's GIF. */
  expect: { status: number; error: string } | "gif";
}

type Base = Omit<FuzzCase, "expect">;
const S2S = { Authorization: `Bearer ${env.API_KEYS.split(",")[0]}` };
const ADMIN = { Authorization: `Bearer ${env.ADMIN_TOKEN}` };
const bad = (status: number, error: string) => ({ status, error });
const isJson = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Characters a header value may hold. */
const printable = (max = 40) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
/** A string with at least one character outside `[A-Za-z0-9._:-]`, so never a valid uid, event id or segment id. */
const withBadChar = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.constantFrom("!", "*", " ", "é", "<", "'", "/", '"', "%", "😀", "\u0000"),
    fc.string({ maxLength: 8 }),
  )
  .map(([a, b, c]) => a + b + c);
const notJson = fc.string({ maxLength: 60 }).filter((s) => !isJson(s));

/** Breaks a valid request in a way every endpoint must reject before doing anything. */
function generic(base: Base): fc.Arbitrary<FuzzCase> {
  const cases: fc.Arbitrary<FuzzCase>[] = [
    fc.integer({ min: 8200, max: 12_000 }).map((n) => ({
      ...base,
      path: `${base.path}${base.path.includes("?") ? "&" : "?"}pad=${"x".repeat(n)}`,
      expect: bad(414, "URL is longer than 8192 bytes"),
    })),
    fc.integer({ min: 8200, max: 10_000 }).map((n) => ({
      ...base,
      headers: { ...base.headers, Cookie: `${base.headers.Cookie ?? "a=b"}; pad=${"y".repeat(n)}` },
      expect: bad(431, "Cookie header is larger than 8192 bytes"),
    })),
    fc.integer({ min: 5, max: 8 }).map((n) => ({
      ...base,
      headers: { ...base.headers, ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-pad-${i}`, "z".repeat(4000)])) },
      expect: bad(431, "request headers are larger than 16384 bytes"),
    })),
  ];
  if (base.body !== undefined) {
    cases.push(
      fc.constant({
        ...base,
        headers: { ...base.headers, "Content-Length": "300000" },
        expect: bad(413, "body is larger than 262144 bytes"),
      }),
    );
  }
  return fc.oneof(...cases);
}

/** 401 without a bearer token, 403 with a wrong one. */
function auth(base: Base): fc.Arbitrary<FuzzCase> {
  const { Authorization: _, ...rest } = base.headers;
  return fc.oneof(
    fc.constant({ ...base, headers: rest, expect: bad(401, "missing Authorization: Bearer <key>") }),
    printable().map((junk) => ({ ...base, headers: { ...rest, Authorization: junk }, expect: bad(401, "missing Authorization") })),
    fc
      .stringMatching(/^[\x21-\x7e]{1,60}$/)
      .filter((k) => k !== env.ADMIN_TOKEN && !env.API_KEYS.split(",").includes(k))
      .map((k) => ({
        ...base,
        headers: { ...rest, Authorization: `Bearer ${k}` },
        expect: bad(403, "the bearer key is not valid for this endpoint"),
      })),
  );
}

const badFormat = fc.string({ maxLength: 12 }).filter((f) => !["json", "ortb2", "gpt", "js", "page"].includes(f));
const badCallback = fc.oneof(
  fc.constant(""),
  fc
    .tuple(fc.string({ maxLength: 10 }), fc.constantFrom("(", ")", " ", "..", "-", ";", "<", "="), fc.string({ maxLength: 10 }))
    .map((p) => p.join("")),
);

/** Query corruptions shared by the browser's and the server's segment lookups. */
function formats(base: Base): fc.Arbitrary<FuzzCase> {
  const sep = base.path.includes("?") ? "&" : "?";
  return fc.oneof(
    badFormat.map((f) => ({
      ...base,
      path: `${base.path}${sep}format=${encodeURIComponent(f)}`,
      expect: bad(400, "format must be one of json, ortb2, gpt, js, page"),
    })),
    badCallback.map((cb) => ({
      ...base,
      path: `${base.path}${sep}format=js&callback=${encodeURIComponent(cb)}`,
      expect: bad(400, "callback must be a plain dotted identifier"),
    })),
  );
}

export { ADMIN, auth, bad, formats, generic, isJson, notJson, printable, S2S, withBadChar };
