/** The opt-in answer of `POST /v1/events?answer=profile`: the user's profile after these events, so the page reads its own writes. */
import type { Eid } from "../../domain/identity/eids";
import { EMPTY_PROFILE, type Profile, type SegmentRef } from "../../domain/profile-record";
import { pageForm } from "../../domain/segment-formats";

/** True when the caller asked to wait for the profile (the tag's fetches do; beacons cannot read an answer anyway). */
export function wantsProfile(url: string): boolean {
  return new URL(url).searchParams.get("answer") === "profile";
}

/**
 * `{accepted, profile}`, the profile in the lookup's `page` form, with the page's segments (`context`) and the user's
 * ids (`eids` of the profile, as a lookup gives them). `applied` is the user's object's answer; undefined when nobody
 * is identified (the empty profile, as a lookup would give). An object that could not be reached gives
 * `profile: null`: the events wait in the retry queue and the page should look up later.
 */
export async function profileAnswer(
  env: Env,
  accepted: number,
  applied: Promise<Profile | undefined> | undefined,
  context: readonly SegmentRef[] = [],
  eids: (p: Profile) => readonly Eid[] | Promise<readonly Eid[]> = () => [],
) {
  const profile = applied ? await applied : EMPTY_PROFILE;
  const opts = { providerName: env.PROVIDER_NAME, gptKey: env.GPT_KEY };
  return { accepted, profile: profile ? pageForm(profile, opts, context, applied ? await eids(profile) : []) : null };
}
