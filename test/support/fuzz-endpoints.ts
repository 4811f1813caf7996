/** Per-endpoint generators of malformed requests, each with the rejection a correct service gives. */
import fc from "fast-check";
import { ADMIN, auth, bad, type FuzzCase, formats, generic, notJson, printable, S2S, withBadChar } from "./fuzz-arbitraries";

/** The current segment document's version in the fuzz file's storage. */
export const CURRENT_VERSION = 5;
const JSON_TYPE = { "Content-Type": "application/json" };
const event = (i: number) => ({ id: `ok-${i}`, type: "view", ts: 1_700_000_000_000, props: { url: "/x" } });
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const nonString = fc.jsonValue().filter((v) => typeof v !== "string");
const longValid = (min: number) => fc.integer({ min, max: min + 40 }).map((n) => "a".repeat(n));

/** One broken field of an event, and the words the error must contain. */
const badEventField: fc.Arbitrary<[Record<string, unknown>, string]> = fc.oneof(
  fc
    .oneof(nonString, withBadChar, longValid(65))
    .map((id) => [{ id }, ".id must be a string matching"] as [Record<string, unknown>, string]),
  fc
    .oneof(nonString, withBadChar, fc.constantFrom("View", "1view", ""))
    .map((type) => [{ type }, ".type must be a string matching"] as [Record<string, unknown>, string]),
  fc.constantFrom("optout", "erase").map((type) => [{ type }, `.type "${type}" is reserved`] as [Record<string, unknown>, string]),
  fc
    .oneof(
      fc.string(),
      fc.boolean(),
      fc.integer({ max: 0 }),
      fc.constant(null),
      fc.double().filter((d) => !Number.isSafeInteger(d) || d <= 0),
    )
    .map((ts) => [{ ts }, ".ts must be a positive integer"] as [Record<string, unknown>, string]),
  fc
    .oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string(), fc.integer(), fc.boolean(), fc.constant(null))
    .map((props) => [{ props }, ".props must be an object"] as [Record<string, unknown>, string]),
  fc
    .oneof(withBadChar, fc.constantFrom("1abc", "_x", "__proto__"))
    .map((k) => [{ props: JSON.parse(`{${JSON.stringify(k)}:"v"}`) }, ".props key"] as [Record<string, unknown>, string]),
  fc
    .oneof(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }), fc.array(fc.jsonValue(), { maxLength: 2 }), fc.constant(null))
    .map((v) => [{ props: { a: v } }, ".props.a must be a string, a finite number or a boolean"] as [Record<string, unknown>, string]),
  longValid(257).map((v) => [{ props: { a: v } }, ".props.a is longer than 256 characters"] as [Record<string, unknown>, string]),
  fc
    .integer({ min: 21, max: 30 })
    .map(
      (n) =>
        [{ props: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1])) }, ".props has more than 20 keys"] as [
          Record<string, unknown>,
          string,
        ],
    ),
);

export function eventCases(cookie: string): fc.Arbitrary<FuzzCase> {
  const base = {
    method: "POST",
    path: "/v1/events",
    headers: { ...JSON_TYPE, Cookie: cookie },
    body: JSON.stringify({ events: [event(0)] }),
  };
  const withBody = (body: string | Uint8Array, status: number, error: string): FuzzCase => ({ ...base, body, expect: bad(status, error) });
  return fc.oneof(
    generic(base),
    printable()
      .filter((t) => !["application/json", "text/plain"].includes(t.split(";")[0]!.trim().toLowerCase()))
      .map((t) => ({
        ...base,
        headers: { ...base.headers, "Content-Type": t },
        expect: bad(415, "Content-Type must be application/json or text/plain"),
      })),
    notJson.map((b) => withBody(b, 400, "body is not valid JSON")),
    fc
      .jsonValue()
      .filter((v) => !(isObj(v) && Array.isArray(v.events)))
      .map((v) => withBody(JSON.stringify(v), 400, 'body must be {"events":[…]}')),
    fc.constant(withBody('{"events":[]}', 400, "events is empty")),
    fc
      .integer({ min: 51, max: 80 })
      .map((n) =>
        withBody(JSON.stringify({ events: Array.from({ length: n }, (_, i) => event(i)) }), 413, `events has ${n} entries; at most 50`),
      ),
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), badEventField).map(([before, after, [field, words]]) => {
      const events = [
        ...Array.from({ length: before }, (_, i) => event(i)),
        { ...event(99), ...field },
        ...Array.from({ length: after }, (_, i) => event(i + 10)),
      ];
      return withBody(JSON.stringify({ events }), 400, `events[${before}]${words}`);
    }),
    fc
      .integer({ min: 16_400, max: 20_000 })
      .map((n) => withBody(JSON.stringify({ events: [event(0)], pad: "p".repeat(n) }), 413, "body is larger than 16384 bytes")),
    fc
      .uint8Array({ minLength: 1, maxLength: 20 })
      .map((b) => withBody(new Uint8Array([0x7b, 0xff, ...b, 0x7d]), 400, "body is not valid UTF-8")),
  );
}

/** The pixel answers its GIF whatever it is sent; a broken event is simply not recorded. */
export function pixelCases(cookie: string): fc.Arbitrary<FuzzCase> {
  const base = { method: "GET", path: "/v1/px.gif", headers: { Cookie: cookie } };
  const q = (params: Record<string, string>) => ({ ...base, path: `/v1/px.gif?${new URLSearchParams(params)}`, expect: "gif" as const });
  return fc.oneof(
    fc.oneof(withBadChar, fc.constantFrom("", "View")).map((type) => q({ type, id: "p1" })),
    fc.oneof(withBadChar, longValid(65)).map((id) => q({ type: "view", id })),
    fc
      .oneof(fc.string(), fc.constantFrom("0", "-5", "1.5", "1e400"))
      .filter((ts) => !(Number.isSafeInteger(Number(ts)) && Number(ts) > 0))
      .map((ts) => q({ type: "view", id: "p1", ts })),
    longValid(257).map((v) => q({ type: "view", id: "p1", url: v })),
    generic({ ...base, path: "/v1/px.gif?type=view&id=p1" }).map((c) => ({ ...c, expect: "gif" as const })),
  );
}

export function lookupCases(): fc.Arbitrary<FuzzCase> {
  const base = { method: "POST", path: "/v1/lookup", headers: { ...S2S }, body: JSON.stringify({ uids: ["u1"] }) };
  const withBody = (body: string | Uint8Array, status: number, error: string): FuzzCase => ({ ...base, body, expect: bad(status, error) });
  return fc.oneof(
    generic(base),
    auth(base),
    notJson.map((b) => withBody(b, 400, "body is not valid JSON")),
    fc
      .jsonValue()
      .filter((v) => !(isObj(v) && Array.isArray(v.uids)))
      .map((v) => withBody(JSON.stringify(v), 400, 'body must be {"uids":[…]}')),
    fc
      .integer({ min: 101, max: 150 })
      .map((n) =>
        withBody(JSON.stringify({ uids: Array.from({ length: n }, (_, i) => `u${i}`) }), 413, `uids has ${n} entries; at most 100`),
      ),
    fc
      .tuple(fc.integer({ min: 0, max: 5 }), fc.oneof(nonString, withBadChar, longValid(129)))
      .map(([i, u]) =>
        withBody(JSON.stringify({ uids: [...Array.from({ length: i }, (_, j) => `u${j}`), u, "u-last"] }), 400, `uids[${i}] must match`),
      ),
    fc
      .integer({ min: 16_400, max: 20_000 })
      .map((n) => withBody(JSON.stringify({ uids: ["u1"], pad: "p".repeat(n) }), 413, "body is larger than 16384 bytes")),
  );
}

/** S2S reads and erasure by uid: a uid that is not one is a 400 before anything is touched. */
export function userCases(): fc.Arbitrary<FuzzCase> {
  const get = { method: "GET", path: "/v1/users/u1/segments", headers: { ...S2S } };
  const del = { method: "DELETE", path: "/v1/users/u1", headers: { ...S2S } };
  const badUid = fc.oneof(withBadChar, longValid(129)).map(encodeURIComponent);
  return fc.oneof(
    generic(get),
    generic(del),
    auth(get),
    auth(del),
    formats(get),
    badUid.map((u) => ({ ...get, path: `/v1/users/${u}/segments`, expect: bad(400, "uid must match") })),
    badUid.map((u) => ({ ...del, path: `/v1/users/${u}`, expect: bad(400, "uid must match") })),
  );
}

export function adminCases(): fc.Arbitrary<FuzzCase> {
  const seg = { id: "s1", name: "S", rule: { event: "view", within: "1d" }, ttl: "1d" };
  const put = { method: "PUT", path: "/v1/admin/segments", headers: { ...ADMIN }, body: JSON.stringify({ version: 99, segments: [seg] }) };
  const doc = (d: unknown, status: number, error: string): FuzzCase => ({ ...put, body: JSON.stringify(d), expect: bad(status, error) });
  const reads = ["GET /v1/admin/segments", "GET /v1/admin/sync", "POST /v1/admin/sync"].map((r) => {
    const [method, path] = r.split(" ") as [string, string];
    return { method, path, headers: { ...ADMIN } };
  });
  return fc.oneof(
    generic(put),
    ...[put, ...reads].map(auth),
    notJson.map((b) => ({ ...put, body: b, expect: bad(400, "document is not valid JSON") })),
    fc
      .oneof(fc.string(), fc.integer({ max: 0 }), fc.constant(null), fc.constant(1.5))
      .map((version) => doc({ version, segments: [seg] }, 400, "version must be a positive integer")),
    fc
      .oneof(fc.string(), fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }))
      .map((segments) => doc({ version: 99, segments }, 400, "segments must be an array")),
    fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(withBadChar, nonString))
      .map(([i, id]) =>
        doc(
          { version: 99, segments: [...Array.from({ length: i }, (_, j) => ({ ...seg, id: `s${j}` })), { ...seg, id }] },
          400,
          `segments[${i}].id must match`,
        ),
      ),
    fc
      .oneof(fc.constantFrom("7w", "0d", "401d", "1.5h", ""), nonString)
      .map((ttl) => doc({ version: 99, segments: [{ ...seg, ttl }] }, 400, "segments[0].ttl must be a duration")),
    fc
      .integer({ min: 1, max: CURRENT_VERSION })
      .map((v) => doc({ version: v, segments: [seg] }, 409, `version must be greater than the current version ${CURRENT_VERSION}`)),
  );
}

/** The browser's own lookup and opt-out: only the generic breakages apply to opt-out, which must then erase nothing. */
export function browserCases(cookie: string): fc.Arbitrary<FuzzCase> {
  const withCookie = { method: "GET", path: "/v1/segments", headers: { Cookie: cookie } };
  const without = { method: "GET", path: "/v1/segments?gdpr=0", headers: {} };
  const optouts = ["GET", "POST"].map((method) => ({ method, path: "/v1/optout", headers: { Cookie: cookie } }));
  return fc.oneof(
    formats(withCookie),
    formats(without),
    generic(withCookie),
    ...optouts.map(generic),
    fc
      .tuple(
        fc.constantFrom("PUT", "PATCH", "DELETE"),
        fc.constantFrom("/v1/segments", "/v1/events", "/v1/optout", "/healthz", "/v1/lookup"),
      )
      .map(([method, path]) => ({
        method,
        path,
        headers: { Cookie: cookie },
        expect: bad(404, `no route for ${method} ${path}`),
      })),
  );
}
