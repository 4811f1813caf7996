/** Reads consent from the page's CMPs (`__tcfapi`, `__gpp`, `__uspapi`) into the query parameters every edge call carries. */

/** `gdpr`, `gdpr_consent`, `gpp`, `gpp_sid`, `us_privacy`: the names the edge reads. */
export type ConsentParams = Record<string, string>;

/**
 * What the tag may do now: send with these parameters, `null` = wait (a CMP has not answered yet),
 * `false` = send nothing (a CMP failed, so we cannot know the user allowed us).
 */
export type ConsentState = ConsentParams | null | false;

export interface ConsentSource {
  current(): ConsentState;
  /** Called whenever a CMP answers or the user changes their choice. */
  onChange(fn: () => void): void;
  /** Resolves with the state once no CMP is pending, or after `ms` with whatever it is then. */
  ready(ms: number): Promise<ConsentState>;
}

type Cmp = (command: string, ...args: unknown[]) => void;

interface TcData {
  eventStatus?: string;
  gdprApplies?: boolean;
  tcString?: string;
}

interface GppPing {
  signalStatus?: string;
  cmpStatus?: string;
  gppString?: string;
  applicableSections?: number[];
}

export interface CmpWindow {
  __tcfapi?: unknown;
  __gpp?: unknown;
  __uspapi?: unknown;
}

export function readConsent(win: CmpWindow): ConsentSource {
  const parts: Record<string, ConsentState> = {};
  const listeners: (() => void)[] = [];
  const set = (name: string, state: ConsentState) => {
    parts[name] = state;
    for (const fn of listeners) fn();
  };
  const current = (): ConsentState => {
    const states = Object.values(parts);
    // A failed CMP outweighs one still loading: either way nothing is sent yet, but failure is final.
    if (states.includes(false)) return false;
    if (states.includes(null)) return null;
    return Object.assign({}, ...states);
  };
  const ask = (name: string, api: unknown, call: (cmp: Cmp, done: (s: ConsentState) => void) => void) => {
    if (typeof api !== "function") return;
    parts[name] = null;
    try {
      call(api as Cmp, (s) => set(name, s));
    } catch {
      set(name, false);
    }
  };

  ask("tcf", win.__tcfapi, (cmp, done) =>
    cmp("addEventListener", 2, (d: TcData | undefined, ok: boolean) => {
      if (!ok || !d) done(false);
      else if (d.gdprApplies === false) done({ gdpr: "0" });
      // "cmpuishown" means the user is choosing: keep waiting (or keep the previous choice).
      else if (d.eventStatus === "tcloaded" || d.eventStatus === "useractioncomplete") done({ gdpr: "1", gdpr_consent: d.tcString || "" });
    }),
  );
  ask("gpp", win.__gpp, (cmp, done) =>
    cmp("addEventListener", (e: { pingData?: GppPing } | undefined, ok: boolean) => {
      const p = e?.pingData;
      if (!ok || !p || p.cmpStatus === "error") done(false);
      // GPP 1.1: data may be used only while signalStatus is "ready"; "not ready" precedes every change.
      else if (p.signalStatus === "ready") done({ gpp: p.gppString || "", gpp_sid: (p.applicableSections || []).join(",") });
    }),
  );
  // US Privacy is an opt-out signal: a CMP that cannot answer leaves it absent rather than blocking everything.
  ask("usp", win.__uspapi, (cmp, done) =>
    cmp("getUSPData", 1, (d: { uspString?: string } | undefined, ok: boolean) =>
      done(ok && d?.uspString ? { us_privacy: d.uspString } : {}),
    ),
  );

  return {
    current,
    onChange: (fn) => listeners.push(fn),
    ready: (ms) =>
      new Promise((resolve) => {
        if (current() !== null) return resolve(current());
        listeners.push(() => current() !== null && resolve(current()));
        setTimeout(() => resolve(current()), ms);
      }),
  };
}
