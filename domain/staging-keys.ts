/** Where staged copies of gzip parts live in the origin bucket: one prefix per version, part and verify attempt. */

/** Staged copies live in the origin bucket under this prefix until their version is applied. */
export const STAGING_PREFIX = "edge-staging/";

export function stagingPrefix(version: number, part?: number, token?: number): string {
  const v = `${STAGING_PREFIX}v${version}/`;
  return part === undefined ? v : `${v}p${part}/t${token}/`;
}
