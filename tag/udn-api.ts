/** The `window.udn` API: track, segments, gpt, ortb2 and optout against the edge the tag came from, each call carrying the page's consent. */
import { createBatcher } from "./batcher";
import { runCommand } from "./command-queue";
import { type CmpWindow, type ConsentParams, readConsent } from "./consent-reader";
import { encodeEvent, type Props } from "./event-batch";
import { firstContact } from "./first-contact";
import { type GptWindow, gptTargeting, pushTargeting, type Targeting } from "./gpt-targeting";
import { createTransport } from "./transport";

/** How long a lookup waits for a CMP that has not answered; ad calls cannot wait much longer. */
export const LOOKUP_CONSENT_WAIT_MS = 500;

export type Warn = (message: string, detail?: unknown) => void;

/** OpenRTB `user.data` for Prebid (`ortb2` of `requestBids`, `mergeConfig`, or an RTD module's `ortb2Fragments.global`). */
export interface Ortb2 {
  user: { data: unknown[] };
}

export interface UdnApi {
  push(cmd: unknown): void;
  track(type: string, props?: Props): void;
  flush(): void;
  segments(): Promise<string[]>;
  gpt(): Promise<Targeting>;
  ortb2(): Promise<Ortb2>;
  optout(): Promise<boolean>;
}

type PageWindow = Window & CmpWindow & GptWindow;

/** The edge's answers in the formats the tag asks for (json, gpt, ortb2), read defensively: any field may be missing. */
interface Answer {
  segments?: unknown;
  user?: { data?: unknown };
  [gptKey: string]: unknown;
}

/** 128 random bits in base 36: an event id the edge dedupes on. */
const newId = () => Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) => n.toString(36)).join("");

export function createApi(edge: string, win: PageWindow, warn: Warn): UdnApi {
  /** Wraps a function so that nothing it throws reaches the page. */
  const quiet =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        fn(...args);
      } catch (e) {
        warn("internal error", e);
      }
    };
  const consent = readConsent(win);
  const transport = createTransport(win.navigator, (u, init) => win.fetch(u, init));
  let optedOut = false;
  const url = (path: string, params: ConsentParams, extra?: Record<string, string>) => {
    const q = new URLSearchParams({ ...params, ...extra }).toString();
    return edge + path + (q ? `?${q}` : "");
  };

  const gate = firstContact((fn, ms) => win.setTimeout(fn, ms));
  let hiding = false;
  /** Tells the page (its own debugging, the demo) what went out and how. */
  const sent = (body: string, via: string) => win.dispatchEvent(new CustomEvent("udn:sent", { detail: { body, via } }));

  const batcher = createBatcher({
    canSend: () => {
      const c = consent.current();
      return c === null ? null : !optedOut && c !== false;
    },
    send: (body) => {
      const to = url("/v1/events", consent.current() || {});
      // A page being left cannot wait for the first call's answer: the beacon goes now.
      if (gate.open() || hiding) return sent(body, transport(to, body));
      gate
        .run(() =>
          gate.open()
            ? Promise.resolve(sent(body, transport(to, body)))
            : // The first contact must tell us when it is answered, which a beacon cannot.
              win.fetch(to, { method: "POST", body, credentials: "include", keepalive: true }).then(() => sent(body, "keepalive")),
        )
        .catch(() => {});
    },
    setTimer: (fn, ms) => win.setTimeout(quiet(fn), ms),
    now: Date.now,
  });
  consent.onChange(quiet(batcher.schedule));
  const flush = quiet(batcher.flush);
  // The last events of a page go out as it is hidden or left: sendBeacon is built for exactly that.
  const flushHiding = () => {
    hiding = true;
    flush();
    hiding = false;
  };
  win.addEventListener("pagehide", flushHiding);
  win.document.addEventListener("visibilitychange", () => win.document.visibilityState === "hidden" && flushHiding());

  const inflight: Record<string, Promise<Answer | null> | undefined> = {};
  /** One request per format at a time; events tracked so far are sent first. Resolves null on any failure. */
  const lookup = (format: string): Promise<Answer | null> => {
    flush();
    return (inflight[format] ||= consent
      .ready(LOOKUP_CONSENT_WAIT_MS)
      .then((c) => (c && !optedOut ? gate.run(() => win.fetch(url("/v1/segments", c, { format }), { credentials: "include" })) : null))
      .then((r) => (r?.ok ? (r.json() as Promise<Answer>) : null))
      .catch(() => null)
      .finally(() => (inflight[format] = undefined)));
  };

  const api: UdnApi = {
    push: (cmd) => runCommand(api as never, cmd, warn),
    track: quiet((type: string, props?: Props) => {
      if (optedOut) return;
      const event = encodeEvent(newId(), type, props, Date.now());
      if (!event) warn(`event type must match /^[a-z][a-z0-9_-]{0,31}$/ and not be optout or erase; dropped`, type);
      else if (!batcher.add(event)) warn("too many events held; dropped", type);
    }),
    flush,
    segments: () => lookup("json").then((b) => (b && Array.isArray(b.segments) ? (b.segments as string[]) : [])),
    gpt: () =>
      lookup("gpt")
        .then((kv) => {
          if (!kv) return {};
          const targeting = gptTargeting(kv);
          pushTargeting(win, targeting);
          return targeting;
        })
        .catch(() => ({})),
    ortb2: () => lookup("ortb2").then((o) => ({ user: { data: o?.user && Array.isArray(o.user.data) ? (o.user.data as unknown[]) : [] } })),
    // Made from the publisher's page on purpose: a Partitioned cookie lives under this site, where a visit to the edge cannot reach it.
    optout: () => {
      optedOut = true;
      flush();
      return Promise.resolve()
        .then(() => gate.run(() => win.fetch(url("/v1/optout", consent.current() || {}), { method: "POST", credentials: "include" })))
        .then(
          (r) => r.ok,
          () => false,
        );
    },
  };
  return api;
}
