/** Typed stubs of the Durable Objects that more than one tier calls. */

/** The one SyncCoordinator instance every sync step and the admin endpoints talk to. */
export function coordinator(env: Env) {
  return env.SYNC_COORDINATOR.getByName("global");
}

/** The user's own object, which serialises that user's writes. */
export function userProfile(env: Env, uid: string) {
  return env.USER_PROFILE.getByName(uid);
}

/** A declared id's own object (named by declaredKey), which holds its person's uid. */
export function declaredIdObject(env: Env, name: string) {
  return env.DECLARED_ID.getByName(name);
}
