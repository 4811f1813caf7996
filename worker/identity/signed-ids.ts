/** Signing and checking `udn_id` values with this deployment's secrets, each verified value remembered. */
import { checkingKey, signingKey, signUidWith, verifySignedUidWith } from "../../domain/ids";
import { uidKeys, type VerifiedId, verifiedCookies, verifiedUnder } from "../isolate";

function checkingKeys(secrets: readonly string[]) {
  return secrets.map((secret) => {
    let key = uidKeys.checking.get(secret);
    if (!key) uidKeys.checking.set(secret, (key = checkingKey(secret)));
    return key;
  });
}

/** `<uid>.<signature>` under `secret` (the current one). */
export async function signUid(uid: string, secret: string): Promise<string> {
  let key = uidKeys.signing.get(secret);
  if (!key) {
    key = signingKey(secret);
    uidKeys.signing.set(secret, key);
    void key.catch(() => uidKeys.signing.delete(secret));
  }
  return signUidWith(uid, await key);
}

/** The uid and whether an older secret signed it, or undefined for a forged, garbled or foreign value. */
export function verifySignedUid(value: string | undefined, secrets: readonly string[]): VerifiedId | undefined {
  return verifySignedUidWith(value, checkingKeys(secrets.filter(Boolean)));
}

/**
 * Checks a cookie value's signature, remembering a good one.
 * @param secrets usableUidSecrets(env): the same array while the secrets stay the same
 */
export function verifyCookie(value: string | undefined, secrets: readonly string[]): VerifiedId | undefined {
  // A rotation within one isolate must not reuse an answer given under the old keys.
  if (secrets !== verifiedUnder.secrets) {
    verifiedCookies.clear();
    verifiedUnder.secrets = secrets;
  }
  if (!value) return undefined;
  const known = verifiedCookies.get(value);
  if (known) return known;
  const verified = verifySignedUid(value, secrets);
  if (verified) verifiedCookies.set(value, verified);
  return verified;
}
