/** Reads published profiles from KV. */
import { decodeProfile, EMPTY_PROFILE, profileKey, type Profile } from "./profile-record";

/** KV edge cache lifetime for profile reads (KV's minimum is 30 s). */
export const KV_CACHE_TTL_S = 30;

export async function readProfile(kv: KVNamespace, uid: string): Promise<Profile> {
  const text = await kv.get(profileKey(uid), { cacheTtl: KV_CACHE_TTL_S });
  return (text !== null && decodeProfile(text)) || EMPTY_PROFILE;
}

/** One multi-key KV operation for up to 100 uids. */
export async function readProfiles(kv: KVNamespace, uids: readonly string[]): Promise<Map<string, Profile>> {
  const out = new Map<string, Profile>();
  if (uids.length === 0) return out;
  const texts = await kv.get(uids.map(profileKey), { type: "text", cacheTtl: KV_CACHE_TTL_S });
  for (const uid of uids) {
    const text = texts.get(profileKey(uid));
    out.set(uid, (text && decodeProfile(text)) || EMPTY_PROFILE);
  }
  return out;
}
