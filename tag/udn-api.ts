/** The `window.udn` API: track, segments, context, gpt, ortb2, profile, identify and optout against the edge the tag came from, each call carrying the page's consent. */
import { createBatcher } from "./batcher";
import { runCommand } from "./command-queue";
import { type CmpWindow, type ConsentParams, readConsent } from "./consent-reader";
import { type DeclaredId, identifyBody } from "./declared-id";
import { encodeEvent, type Props } from "./event-batch";
import { firstContact } from "./first-contact";
import { type GptWindow, gptTargeting, pushTargeting, type Targeting } from "./gpt-targeting";
import { type GivenContext, pageParams } from "./page-context";
import { createTransport } from "./transport";

/** How long a lookup waits for a CMP that has not answered; ad calls cannot wait much longer. */
export const LOOKUP_CONSENT_WAIT_MS = 500;

/** Reports a problem on the console as `[udn] …`: a warning, or an error when `error` is set. */
export type Warn = (message: string, detail?: unknown, error?: boolean) => void;

/** OpenRTB `user.data` for Prebid (`ortb2` of `requestBids`, `mergeConfig`, or an RTD module's `ortb2Fragments.global`). */
export interface Ortb2 {
  user: { data: unknown[] };
  /** The page's segments, in `site.content.data`, when it has some. */
  site?: unknown;
}

/** The edge's `page` answer (GET /v1/segments?format=page, or an events answer): json's ids and version, ortb2's user, gpt. Read defensively. */
export interface PageProfile {
  segments?: unknown;
  /** The profile's version: ms of its last change. */
  ts?: unknown;
  user?: { data?: unknown };
  site?: unknown;
  gpt?: unknown;
}

export interface UdnApi {
  push(cmd: unknown): void;
  track(type: string, props?: Props): void;
  flush(): void;
  segments(): Promise<string[]>;
  /** Describes the page (section, keywords, language, address) beyond its `<meta>` tags; call it before the first lookup. */
  context(given: GivenContext): void;
  gpt(): Promise<Targeting>;
  ortb2(): Promise<Ortb2>;
  /** The page view's one profile (null when the edge cannot be read); what the Prebid module reads. */
  profile(): Promise<PageProfile | null>;
  /** Tells the edge who signed in (a SHA-256 of their address, or the publisher's id); true once the page's profile is that person's. */
  identify(id: DeclaredId): Promise<boolean>;
  optout(): Promise<boolean>;
}

type PageWindow = Window & CmpWindow & GptWindow;

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
  let given: GivenContext = {};
  /** Read when asked: a page may add its `<meta>` tags or call `context()` after the tag has loaded. */
  const page = () => pageParams(win.document, win.location.href, given);
  const url = (path: string, params: ConsentParams, extra?: Record<string, string>) => {
    const q = new URLSearchParams({ ...params, ...extra }).toString();
    return edge + path + (q ? `?${q}` : "");
  };

  /** The newest profile this page view has seen: from one lookup (or the first events answer), then from events answers. */
  let latest: PageProfile | undefined;
  let newest = -1;
  /** The lookup (or events answer) the page's first profile comes from, while there is none yet. */
  let waiting: Promise<unknown> | undefined;
  /** The answer to the page's first events body, which a first lookup waits for rather than asking again. */
  let firstAnswer: Promise<unknown> | undefined;
  /** Grows when the browser becomes a signed-in person: answers to calls made before are the old profile's, and are not kept. */
  let epoch = 0;
  /** Keeps `p` if it is at least as new as what the page has (answers can cross), and tells the page (the Prebid module listens). */
  const learn = (p: PageProfile | null | undefined, e: number) => {
    if (!p || e < epoch || typeof p.ts !== "number" || p.ts < newest) return;
    newest = p.ts;
    latest = p;
    win.dispatchEvent(new CustomEvent("udn:profile", { detail: p }));
  };
  const ask = (e = epoch): Promise<unknown> =>
    consent
      .ready(LOOKUP_CONSENT_WAIT_MS)
      .then((c) =>
        c && !optedOut
          ? gate.run(() => win.fetch(url("/v1/segments", c, { format: "page", ...page() }), { credentials: "include" }))
          : null,
      )
      .then((r) => (r?.ok ? (r.json() as Promise<PageProfile>) : null))
      .then(
        (p) => learn(p, e),
        () => {},
      );
  /** Events tracked so far are sent first: their answer is then the page's profile. A failure is not kept: a later call asks again. */
  const profile = (): Promise<PageProfile | null> => {
    flush();
    if (optedOut) return Promise.resolve(null);
    if (latest) return Promise.resolve(latest);
    // An events answer without a profile (the user's object was unreachable) leaves it to a lookup.
    return (waiting ||= firstAnswer ? firstAnswer.then(() => latest || ask()) : ask()).then(() => {
      if (!latest) waiting = firstAnswer = undefined;
      return latest || null;
    });
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
      const c = consent.current() || {};
      const e = epoch;
      // A page being left cannot wait for answers: the beacon goes now.
      if (hiding) return sent(body, transport(url("/v1/events", c), body));
      // Otherwise fetch, asking for the profile these events make: the page's lookups read their own writes.
      const answered = gate
        .run(
          () => new Promise<unknown>((done) => sent(body, transport(url("/v1/events", c, { answer: "profile", ...page() }), body, done))),
        )
        .then((r) => ((r as Response | undefined)?.ok ? (r as Response).json() : null))
        .then(
          (a: { profile?: PageProfile } | null) => learn(a?.profile, e),
          () => {},
        );
      firstAnswer ||= answered;
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

  const api: UdnApi = {
    push: (cmd) => runCommand(api as never, cmd, warn),
    track: quiet((type: string, props?: Props) => {
      if (optedOut) return;
      const event = encodeEvent(newId(), type, props, Date.now());
      if (!event) warn(`event type must match /^[a-z][a-z0-9_-]{0,31}$/ and not be optout or erase; dropped`, type);
      else if (!batcher.add(event)) warn("too many events held; dropped", type);
    }),
    flush,
    segments: () => profile().then((p) => (p && Array.isArray(p.segments) ? (p.segments as string[]) : [])),
    gpt: () =>
      profile()
        .then((p) => {
          if (!p) return {};
          const targeting = gptTargeting(p.gpt);
          pushTargeting(win, targeting);
          return targeting;
        })
        .catch(() => ({})),
    context: (c) => {
      given = { ...given, ...c };
    },
    ortb2: () =>
      profile().then((p) => {
        const o: Ortb2 = { user: { data: p?.user && Array.isArray(p.user.data) ? (p.user.data as unknown[]) : [] } };
        if (p?.site) o.site = p.site;
        return o;
      }),
    profile,
    identify: (id) => {
      const body = identifyBody(id);
      if (typeof body !== "string") {
        // An error, not a warning: a page sending an address is a privacy bug its developers must see.
        warn(`identify: ${body.message}; nothing sent`, undefined, true);
        return Promise.resolve(false);
      }
      return consent
        .ready(LOOKUP_CONSENT_WAIT_MS)
        .then((c) =>
          c && !optedOut
            ? gate.run(() => win.fetch(url("/v1/identify", c), { method: "POST", body, credentials: "include" })).then((r) => r.json())
            : null,
        )
        .then((a?: { identified?: unknown }) => {
          if (a?.identified !== true) return false;
          // The answer's cookie is the person's now: the page's profile (and anything in flight for the old one) is stale.
          epoch++;
          latest = waiting = firstAnswer = undefined;
          newest = -1;
          return profile().then(() => true);
        })
        .catch(() => false);
    },
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
