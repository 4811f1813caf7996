/** Optional secrets `wrangler types` cannot list (secrets.required names only the mandatory ones). */
interface Env {
  /** The previous UID_SECRET, accepted for verification during a key rotation. */
  UID_SECRET_PREVIOUS?: string;
  /** Keys allowed to erase users by uid; where unset, the bidders' API_KEYS are. */
  ERASE_KEYS?: string;
}
declare namespace Cloudflare {
  interface Env {
    UID_SECRET_PREVIOUS?: string;
    ERASE_KEYS?: string;
  }
}
