/** How long a user's data outlives their last activity: RETENTION_SECONDS, and the short stay of an id that never came back. */
import { numberSetting } from "../domain/setting";

/**
 * A uid minted by a cookie-less request is kept this long until a later request brings it back: a browser that
 * refuses cookies mints a new id on every call, and each would otherwise hold storage for the whole retention.
 */
export const PROVISIONAL_RETENTION_S = 3_600;

/** RETENTION_SECONDS, checked: NaN, 0 or a few seconds would drop tombstones and data early, so they are refused. */
export function retentionSeconds(env: Env): number {
  return numberSetting("RETENTION_SECONDS", env.RETENTION_SECONDS, { min: 86_400, max: 3_153_600_000, integer: true });
}
