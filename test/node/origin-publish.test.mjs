// The data team's publishing tool, run as they run it (a child process), writing into a directory laid out like the bucket.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";

const TOOL = join(import.meta.dirname, "../../scripts/origin-publish.mjs");

const dirs = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A directory for one test, removed after the file's tests. */
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "pub-"));
  dirs.push(dir);
  return dir;
}

function publish(dir, input, name, ...args) {
  const file = join(dir, name);
  writeFileSync(file, input);
  // Its own temp directory, so a test can see what the tool leaves there.
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  return spawnSync(process.execPath, [TOOL, file, "--out-dir", join(dir, "out"), ...args], {
    encoding: "utf8",
    env: { ...process.env, TMPDIR: tmp },
  });
}

describe("origin:publish", () => {
  it("writes parts of at most N records, their sha256, a versioned manifest and latest.json", () => {
    const dir = tempDir();
    const lines = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify(i === 2 ? { uid: `u${i}`, delete: true } : { uid: `u${i}`, segments: ["607", "607", `${i}`] }),
    );
    const r = publish(
      dir,
      `${lines.join("\n")}\n\n`,
      "in.ndjson",
      "--version",
      "42",
      "--records-per-part",
      "2",
      "--kind",
      "delta",
      "--taxonomy",
      "4",
      "--segment-ttl",
      "2d",
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("published version 42 (delta): 5 records in 3 part(s)");
    const out = join(dir, "out");
    const latest = JSON.parse(readFileSync(join(out, "manifests/latest.json"), "utf8"));
    expect(JSON.parse(readFileSync(join(out, "manifests/v42.json"), "utf8"))).toEqual(latest);
    expect(latest).toMatchObject({ version: 42, kind: "delta", segmentTtl: "2d", taxonomy: 4 });
    expect(latest.parts.map((p) => [p.key, p.records])).toEqual([
      ["batches/v42/part-00000.ndjson.gz", 2],
      ["batches/v42/part-00001.ndjson.gz", 2],
      ["batches/v42/part-00002.ndjson.gz", 1],
    ]);
    const records = [];
    for (const p of latest.parts) {
      const bytes = readFileSync(join(out, p.key));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(p.sha256);
      records.push(
        ...gunzipSync(bytes)
          .toString()
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l)),
      );
    }
    expect(records[0]).toEqual({ uid: "u0", segments: ["607", "0"] });
    expect(records[2]).toEqual({ uid: "u2", delete: true });
  });

  it("reads CSV and writes plain parts on request", () => {
    const dir = tempDir();
    const r = publish(dir, "uid,segments,delete\na,1|2,\nb,,true\n", "in.csv", "--version", "7", "--plain");
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, "out/manifests/latest.json"), "utf8"));
    expect(m.parts[0].key).toBe("batches/v7/part-00000.ndjson");
    expect(readFileSync(join(dir, "out", m.parts[0].key), "utf8")).toBe('{"uid":"a","segments":["1","2"]}\n{"uid":"b","delete":true}\n');
  });

  it("rejects a record the edge would reject, naming its line, and writes nothing", () => {
    const dir = tempDir();
    const r = publish(dir, '{"uid":"ok","segments":["1"]}\n{"uid":"ok2","segments":["has space"]}\n', "bad.ndjson");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad.ndjson:2: segment "has space" must match');
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("publishes page records beside users' and refuses an address the edge would reject, naming its line", () => {
    const dir = tempDir();
    const input = [
      { url: "https://news.example/foot/psg?id=7", segments: ["533", "483", "533"] },
      { url: "https://news.example/old-page", delete: true },
    ];
    const r = publish(
      dir,
      `${input.map((l) => JSON.stringify(l)).join("\n")}\n`,
      "pages.ndjson",
      "--version",
      "9",
      "--taxonomy",
      "9",
      "--plain",
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("published version 9 (full): 2 records in 1 part(s)");
    expect(r.stdout).toContain("2 of them page records");
    const m = JSON.parse(readFileSync(join(dir, "out/manifests/latest.json"), "utf8"));
    expect(m).toMatchObject({ version: 9, taxonomy: 9 });
    expect(readFileSync(join(dir, "out", m.parts[0].key), "utf8")).toBe(
      '{"url":"https://news.example/foot/psg?id=7","segments":["533","483"]}\n{"url":"https://news.example/old-page","delete":true}\n',
    );

    const mixed = publish(
      tempDir(),
      '{"uid":"u1","segments":["607"]}\n{"url":"https://news.example/a","segments":["1"]}\n',
      "mixed.ndjson",
      "--taxonomy",
      "4",
    );
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(mixed.stderr).toContain("--taxonomy 4 applies to the users' and the pages' records of this version alike");

    const bad = tempDir();
    const refused = publish(bad, '{"url":"https://news.example/a","segments":["1"]}\n{"url":"/relative","segments":["1"]}\n', "bad.ndjson");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("bad.ndjson:2: url must be an absolute http(s) URL");
    expect(existsSync(join(bad, "out"))).toBe(false);
  });

  it("leaves none of its staged parts behind (they hold users' ids), whether it succeeds or refuses", () => {
    const dir = tempDir();
    expect(publish(dir, '{"uid":"u1","segments":["607"]}\n', "ok.ndjson", "--plain").status).toBe(0);
    expect(publish(dir, '{"uid":"u1","segments":["607"]}\n{"uid":"bad uid"}\n', "bad.ndjson").status).not.toBe(0);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });
});
