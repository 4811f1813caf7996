/** The Hono environment shared by all routes: bindings plus what middleware resolved for this request. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The browser's uid, or null when it may not be identified (opted out, no consent). */
    uid: string | null;
  };
}
