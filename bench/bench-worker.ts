/** The Worker under benchmark: the real app plus bench-only routes (bare KV read and its parts, the KV routes and the cost loop inside workerd, cache stats, seeding and filling). */
import { encodeProfile, profileKey } from "../domain/profile-record";
import { coordinator } from "../platform/stubs";
import { app } from "../worker/app";
import { signUid, verifyCookie } from "../worker/identity/signed-ids";
import worker from "../worker/index";
import { profileCache, resetIsolate, verifiedCookies } from "../worker/isolate";
import { lookupProfile } from "../worker/lookup/profile-lookup";
import { usableUidSecrets } from "../worker/settings";

export { DeclaredId, SyncCoordinator, UserProfile } from "../worker/index";

const KNOWN = { ts: 1, segments: [{ id: "806", taxonomy: 4 }, { id: "607", taxonomy: 4 }, { id: "udn-engaged" }] };

/** The uids of the batch lookup the cost loop replays, all cached. */
const BATCH_UIDS = Array.from({ length: 100 }, (_, i) => `BenchLoopBatchUser${String(i).padStart(4, "0")}`);

/** A handler that answers every request with the bytes the Worker gave `sample`: what an answer costs with no code behind it. */
async function sameBytes(sample: Request, env: Env, ctx: ExecutionContext) {
  const res = await worker.fetch(sample, env, ctx);
  const { status } = res;
  const headers = [...res.headers];
  const bytes = await res.arrayBuffer();
  return { fetch: () => new Response(bytes, { status, headers }) };
}

/** The bindings an event request meets after its answer is decided, answering at once: the accept path's cost alone. */
function acceptPathEnv(env: Env): Env {
  const limiter = { limit: async () => ({ success: true }) };
  const profile = { profile: { ts: 1, segments: [] }, applied: 3, erased: false };
  const objects = { getByName: () => ({ track: async () => profile }) };
  const queue = { send: async () => {} };
  return {
    ...env,
    EVENTS_PER_BROWSER: limiter,
    EVENTS_PER_IP: limiter,
    EVENTS_PER_NET: limiter,
    USER_PROFILE: objects,
    EVENT_LOG_QUEUE: queue,
    // The location cache's put follows the object's answer: past the accept path.
    LOCATION_CACHE_S: "0",
  } as unknown as Env;
}

/** The page parameters of the contextual kinds: an article the benchmark's context rules describe. */
const BENCH_PAGE = `url=${encodeURIComponent("https://news.example/foot/psg-ol?utm_source=x&id=42")}&section=sport&keywords=foot,ligue%201&lang=fr`;

/** Requests the cost loop replays: each a lookup kind and format, plus the control. */
async function loopRequest(kind: string, env: Env): Promise<Request> {
  const base = "http://bench";
  const cookie = (uid: string) => signUid(uid, env.UID_SECRET).then((v) => ({ Cookie: `udn_id=${v}` }));
  const s2s = { Authorization: `Bearer ${env.API_KEYS.split(",")[0]}` };
  switch (kind) {
    case "healthz":
      return new Request(`${base}/healthz`);
    case "cached-json":
    case "cached-ortb2":
    case "cached-gpt":
      return new Request(`${base}/v1/segments?format=${kind.slice(7)}`, { headers: await cookie("BenchLoopKnownUser0000") });
    case "cached-js":
      return new Request(`${base}/v1/segments?format=js&callback=udn.cb`, { headers: await cookie("BenchLoopKnownUser0000") });
    case "unknown":
      return new Request(`${base}/v1/segments`, { headers: await cookie("BenchLoopUnknownUser00") });
    // The page's segments: for a known user beside theirs, and alone for a browser without consent (gdpr=1, no string).
    case "cached-context-ortb2":
      return new Request(`${base}/v1/segments?format=ortb2&${BENCH_PAGE}`, { headers: await cookie("BenchLoopKnownUser0000") });
    case "context-only-ortb2":
      return new Request(`${base}/v1/segments?format=ortb2&gdpr=1&${BENCH_PAGE}`);
    case "s2s-cached":
      return new Request(`${base}/v1/users/BenchLoopKnownUser0000/segments`, { headers: s2s });
    case "s2s-batch-100":
      return new Request(`${base}/v1/lookup`, { method: "POST", headers: s2s, body: JSON.stringify({ uids: BATCH_UIDS }) });
    case "event-accept": {
      const events = [1, 2, 3].map((i) => ({
        id: `loop-${i}`,
        type: "view",
        ts: 1795700000000,
        props: { url: "/cars/suv", category: "auto" },
      }));
      const body = JSON.stringify({ events });
      // As a browser's beacon or fetch arrives: with its Content-Length.
      const length = String(new TextEncoder().encode(body).byteLength);
      const headers = { ...(await cookie("BenchLoopKnownUser0000")), "Content-Type": "text/plain", "Content-Length": length };
      return new Request(`${base}/v1/events`, { method: "POST", headers, body });
    }
    default:
      throw new Error(`unknown loop kind ${kind}`);
  }
}

async function benchRoute(req: Request, env: Env, ctx: ExecutionContext, url: URL): Promise<Response> {
  switch (url.pathname) {
    case "/__bench/kv":
      return new Response(await env.PROFILES.get(profileKey(url.searchParams.get("uid") ?? ""), { cacheTtl: 30 }));
    // The bare read after the cookie check the KV path makes, and the cache's KV load alone: the KV path's parts.
    case "/__bench/kv-verify": {
      const value = /udn_id=([^;]+)/.exec(req.headers.get("Cookie") ?? "")?.[1];
      const v = verifyCookie(value, usableUidSecrets(env));
      return new Response(await env.PROFILES.get(profileKey(v?.uid ?? ""), { cacheTtl: 30 }));
    }
    case "/__bench/kv-lookup": {
      const l = await lookupProfile(env, ctx, url.searchParams.get("uid") ?? "", req.url);
      return new Response(JSON.stringify(l.profile));
    }
    case "/__bench/fill": {
      // Fills the profile cache (to its byte bound, by default) and the cookie memo with users nobody asks for, as an
      // isolate that has served for a while: the cost loop runs again on top of them.
      const entries = Number(url.searchParams.get("entries") ?? profileCache.options.maxEntries);
      const cookies = Number(url.searchParams.get("cookies") ?? verifiedCookies.maxEntries);
      const secrets = usableUidSecrets(env);
      for (let i = 0; i < entries; i++) profileCache.set(`BenchFillUser${String(i).padStart(9, "0")}`, i % 5 ? null : KNOWN, Date.now());
      for (let i = 0; i < cookies; i++)
        verifyCookie(await signUid(`BenchFillCookie${String(i).padStart(7, "0")}`, secrets[0] ?? ""), secrets);
      return Response.json({ ...profileCache.snapshot(), verified_cookies: verifiedCookies.size() });
    }
    case "/__bench/stats":
      return Response.json({ ...profileCache.snapshot(), verified_cookies: verifiedCookies.size() });
    case "/__bench/reset":
      resetIsolate();
      return Response.json({ ok: true });
    case "/__bench/seed": {
      const uids = (await req.json()) as string[];
      await Promise.all(uids.map((uid) => env.PROFILES.put(profileKey(uid), encodeProfile(KNOWN))));
      return Response.json({ seeded: uids.length });
    }
    case "/__bench/cache-bound": {
      // The soak shrinks the cache and the cookie memo so that they fill within minutes and the memory plateau shows.
      (profileCache.options as { maxEntries: number }).maxEntries = Number(url.searchParams.get("entries"));
      verifiedCookies.maxEntries = Number(url.searchParams.get("cookies") ?? verifiedCookies.maxEntries);
      return Response.json(profileCache.snapshot());
    }
    case "/__bench/publish": {
      // A batch version exactly as the data team writes it (contract format), then a sync started as cron would.
      const version = Number(url.searchParams.get("version"));
      const users = Number(url.searchParams.get("users"));
      const lines = Array.from({ length: users }, (_, i) =>
        JSON.stringify({ uid: `batch-${i}`, segments: [String(600 + ((i + version) % 7))] }),
      );
      const body = new TextEncoder().encode(`${lines.join("\n")}\n`);
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
      const sha256 = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
      const key = `batches/v${version}/part-00000.ndjson`;
      await env.ORIGIN.put(key, body);
      await env.ORIGIN.put(
        "manifests/latest.json",
        JSON.stringify({ version, kind: "full", parts: [{ key, records: users, sha256 }], segmentTtl: "3d", taxonomy: 4 }),
      );
      return Response.json(await coordinator(env).tick());
    }
    case "/__bench/sync-status":
      return Response.json(await coordinator(env).status());
    case "/__bench/applied": {
      const uids = (await req.json()) as string[];
      const seen = await Promise.all(
        uids.map((uid) =>
          env.USER_PROFILE.getByName(uid)
            .current()
            .then((p) => p.eventsSeen),
        ),
      );
      return Response.json({ applied: seen.reduce((a, b) => a + b, 0) });
    }
    case "/__bench/track": {
      const n = Number(url.searchParams.get("n") ?? 0);
      const uid = url.searchParams.get("uid") ?? "track-user";
      const stub = env.USER_PROFILE.getByName(uid);
      const kind = url.searchParams.get("kind");
      for (let i = 0; i < n; i++) {
        if (kind === "current") await stub.current();
        else await stub.track(uid, [{ id: `${Date.now()}-${i}-${Math.random()}`, type: kind ?? "zzz", ts: Date.now(), props: {} }]);
      }
      return Response.json({ n });
    }
    case "/__bench/kv-paired": {
      // The KV routes inside workerd, without HTTP and wrk: blocks of each route over the same users, alternating, so that
      // the drift of this machine and of Miniflare's KV (±20 % between slices over HTTP) falls on every route alike.
      // Each block starts with empty caches, so every read is a KV read and every cookie gets its signature checked.
      const uids = (await req.json()) as string[];
      const secret = usableUidSecrets(env)[0] ?? "";
      const kinds = (url.searchParams.get("kinds") ?? "bare,app").split(",");
      const block = Number(url.searchParams.get("block") ?? 50);
      const path = (kind: string, uid: string) =>
        ({ app: "/v1/segments", bare: `/__bench/kv?uid=${uid}`, verify: "/__bench/kv-verify", lookup: `/__bench/kv-lookup?uid=${uid}` })[
          kind
        ] ?? "";
      const cookies = await Promise.all(uids.map(async (uid) => `udn_id=${await signUid(uid, secret)}`));
      const blocks: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]));
      for (let from = 0, b = 0; from < uids.length; from += block, b++) {
        for (const kind of b % 2 ? [...kinds].reverse() : kinds) {
          const requests = uids
            .slice(from, from + block)
            .map((uid, i) => new Request(`http://bench${path(kind, uid)}`, { headers: { Cookie: cookies[from + i] ?? "" } }));
          profileCache.clear();
          verifiedCookies.clear();
          // workerd's clock moves only across I/O: one read first, so that the block's start is now.
          await env.PROFILES.get("bench-clock");
          const started = Date.now();
          for (const r of requests) await (await benchWorker.fetch(r, env, ctx)).text();
          blocks[kind]?.push(Date.now() - started);
        }
      }
      return Response.json(blocks);
    }
    case "/__bench/loop": {
      const n = Number(url.searchParams.get("n") ?? 0);
      // `kind@app` sends the request to the Hono app alone, past the fast dispatch: what the fast dispatch saves.
      // `kind@bytes` answers the same request with the same status, headers and body and no code: the control.
      const [kind = "", via] = (url.searchParams.get("kind") ?? "").split("@");
      const template = await loopRequest(kind, env);
      profileCache.set("BenchLoopKnownUser0000", KNOWN, Date.now());
      profileCache.set("BenchLoopUnknownUser00", null, Date.now());
      for (const uid of BATCH_UIDS) profileCache.set(uid, KNOWN, Date.now());
      // A body is read once: a POST is built afresh each time from its text (a GET is copied, as before).
      const body = template.method === "POST" ? await template.text() : undefined;
      const make = () =>
        body === undefined ? new Request(template) : new Request(template.url, { method: "POST", headers: template.headers, body });
      // Events: everything before the user's object is called, so the object, the limiter and the log answer at once.
      const loopEnv = kind === "event-accept" ? acceptPathEnv(env) : env;
      const target = via === "app" ? app : via === "bytes" ? await sameBytes(make(), loopEnv, ctx) : worker;
      for (let i = 0; i < n; i++) {
        const res = await target.fetch(make(), loopEnv, ctx);
        await res.arrayBuffer();
      }
      return Response.json({ n });
    }
  }
  return new Response("no bench route", { status: 404 });
}

const benchWorker = {
  ...worker,
  fetch(req: Request, env: Env, ctx: ExecutionContext) {
    // A string test, not a URL parse: the harness must not add its own cost to every measured request.
    if (req.url.includes("/__bench/")) return benchRoute(req, env, ctx, new URL(req.url));
    return worker.fetch(req, env, ctx);
  },
} satisfies ExportedHandler<Env>;
export default benchWorker;
