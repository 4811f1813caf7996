/** The buckets a run reads and writes: local (wrangler's own persisted R2), a real account's R2 over its S3 API, or a folder laid out like a bucket. */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { AwsClient } from "aws4fetch";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

/**
 * @typedef {object} Bucket
 * @property {(prefix: string) => AsyncIterable<{ key: string, size: number }>} list every object under `prefix`, in key order
 * @property {(key: string) => Promise<Uint8Array | null>} get an object's stored bytes, or null when it is absent
 * @property {(key: string, bytes: Uint8Array, contentType: string) => Promise<void>} put
 */

/** Any R2 binding (here, Miniflare's): what the Worker itself reads and writes. @returns {Bucket} */
export function r2Bucket(binding) {
  return {
    async *list(prefix) {
      let cursor;
      do {
        const page = await binding.list({ prefix, cursor });
        for (const o of page.objects) yield { key: o.key, size: o.size };
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
    },
    async get(key) {
      const o = await binding.get(key);
      return o ? new Uint8Array(await o.arrayBuffer()) : null;
    },
    async put(key, bytes, contentType) {
      await binding.put(key, bytes, { httpMetadata: { contentType } });
    },
  };
}

/**
 * The local buckets `npm start` uses: wrangler keeps them in Miniflare's storage under `<persistTo>/v3`, and
 * `wrangler r2 object put --local` opens them the same way, through a Miniflare instance with R2 bindings.
 * @param {{ persistTo: string, events: string, origin: string }} options bucket names as in wrangler.toml
 */
export async function localBuckets({ persistTo, events, origin }) {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: "export default { fetch() { return new Response(null, { status: 404 }); } };",
      resourcePersistencePath: join(resolve(persistTo), "v3"),
      r2Buckets: { EVENTS: events, ORIGIN: origin },
    }),
  );
  return {
    events: r2Bucket(await mf.getR2Bucket("EVENTS")),
    origin: r2Bucket(await mf.getR2Bucket("ORIGIN")),
    close: () => mf.dispose(),
  };
}

/** A folder laid out like a bucket (keys are relative paths), for `aws s3 sync`, rclone, tests and benchmarks. @returns {Bucket} */
export function dirBucket(root) {
  const walk = async function* (dir) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (e.code === "ENOENT") return;
      throw e;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) yield* walk(path);
      else yield path;
    }
  };
  return {
    async *list(prefix) {
      // Only the folders the prefix names are walked: a log's other days are not read.
      const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/") + 1) : "";
      for await (const path of walk(join(root, base))) {
        const key = relative(root, path).split(sep).join("/");
        if (key.startsWith(prefix)) yield { key, size: (await stat(path)).size };
      }
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(join(root, key)));
      } catch (e) {
        if (e.code === "ENOENT") return null;
        throw e;
      }
    },
    async put(key, bytes) {
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
    },
  };
}

/**
 * A real bucket through R2's S3 API (`https://<account id>.r2.cloudflarestorage.com`), signed with an R2 API token's
 * access key pair. ListObjectsV2 pages of 1,000 keys.
 * @param {{ endpoint: string, bucket: string, accessKeyId: string, secretAccessKey: string }} options
 * @returns {Bucket}
 */
export function s3Bucket({ endpoint, bucket, accessKeyId, secretAccessKey }) {
  const aws = new AwsClient({ accessKeyId, secretAccessKey, service: "s3", region: "auto" });
  const base = `${endpoint.replace(/\/+$/, "")}/${bucket}`;
  const url = (key) => `${base}/${key.split("/").map(encodeURIComponent).join("/")}`;
  const fail = async (what, res) => {
    throw new Error(`S3 ${what} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  };
  const unxml = (s) =>
    s
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&");
  return {
    async *list(prefix) {
      let token;
      do {
        const q = new URLSearchParams({ "list-type": "2", prefix, ...(token ? { "continuation-token": token } : {}) });
        const res = await aws.fetch(`${base}?${q}`);
        if (!res.ok) await fail(`list ${bucket}/${prefix}`, res);
        const xml = await res.text();
        for (const [, body] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
          const key = unxml(/<Key>([\s\S]*?)<\/Key>/.exec(body)?.[1] ?? "");
          yield { key, size: Number(/<Size>(\d+)<\/Size>/.exec(body)?.[1] ?? 0) };
        }
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
          ? unxml(/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? "")
          : undefined;
      } while (token);
    },
    async get(key) {
      const res = await aws.fetch(url(key));
      if (res.status === 404) return null;
      if (!res.ok) await fail(`get ${key}`, res);
      return new Uint8Array(await res.arrayBuffer());
    },
    async put(key, bytes, contentType) {
      const res = await aws.fetch(url(key), { method: "PUT", body: bytes, headers: { "Content-Type": contentType } });
      if (!res.ok) await fail(`put ${key}`, res);
    },
  };
}
