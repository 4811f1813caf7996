/** The Hono environment shared by all routes: bindings plus what middleware resolved for this request. */
import type { ConsentSignals } from "../../domain/consent/signals";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The browser's uid, or null when it may not be identified (opted out, no consent). */
    uid: string | null;
    /** The uid was minted by this request (the browser sent no good cookie): nothing can be stored under it yet. */
    newId: boolean;
    /** How a lookup was answered, for metrics: hit, stale, miss, new (absent on other routes). */
    cacheOutcome?: string;
    /** Why a lookup answered degraded, for metrics. */
    degraded?: string;
    /** The consent signals the request came with (browser endpoints only), e.g. for the raw event log. */
    consent: ConsentSignals;
  };
}
