import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../../../../test/support/postgres.js";
import { copyMissingBlobs, manifestAssetHashes } from "./asset-mirror-copy.js";
import { PostgresAssetStore } from "./asset-postgres-store.js";
import { SqliteAssetStore } from "./asset-sqlite-store.js";
import { pgClient } from "./pg-client.js";
import { PostgresStore } from "./postgres-store.js";
import { SecretBox } from "./secret-box.js";
import { SqliteStore } from "./sqlite-store.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function localAssets(): SqliteAssetStore {
  const dir = mkdtempSync(join(tmpdir(), "nano-blob-copy-"));
  new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key"))).close();
  return new SqliteAssetStore(join(dir, "registry.db"));
}

let pg: TestPostgres;
let registry: PostgresStore;
beforeAll(async () => {
  pg = await startPostgres();
  registry = await PostgresStore.open({ url: await pg.createDatabase(), box: new SecretBox(randomBytes(32)) });
});
afterAll(async () => {
  await registry?.close();
  await pg?.close();
});

describe("copyMissingBlobs", () => {
  it("copies what the local file lacks, every form, in bounded batches, and says what PostgreSQL lacks too", async () => {
    const shared = new PostgresAssetStore(registry.sql);
    const small = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`file ${i}`));
    for (const b of small) await shared.put(sha(b), b, {});
    const css = new TextEncoder().encode("a { color: red }");
    await shared.put(sha(css), css, { br: new Uint8Array([1, 2]), gzip: new Uint8Array([3]) });
    // Larger than one batch's byte bound: fetched alone.
    const big = randomBytes(9 * 1024 * 1024);
    await shared.put(sha(big), big, {});
    const local = localAssets();
    await local.put(sha(small[0] as Uint8Array), small[0] as Uint8Array, {});
    const absent = "f".repeat(64);
    const wanted = [...small.map(sha), sha(css), sha(big), absent, sha(css)];
    let progress = 0;
    const r = await copyMissingBlobs(registry.sql, local, wanted, () => progress++);
    expect(r.copied).toBe(41);
    expect(r.absent).toEqual([absent]);
    // The size lookup, then at least 40/16 batches of small files and the big one alone.
    expect(progress).toBeGreaterThanOrEqual(5);
    expect(await local.missing(wanted)).toEqual([absent]);
    // Compared as one boolean: a deep equality of 9 MiB takes minutes.
    expect(Buffer.from((await local.get(sha(big), "identity")) ?? []).equals(big)).toBe(true);
    expect([...((await local.get(sha(css), "br")) ?? [])]).toEqual([1, 2]);
    expect([...((await local.get(sha(css), "gzip")) ?? [])]).toEqual([3]);
    expect((await local.info([sha(css)])).get(sha(css))).toEqual({
      sizes: { identity: css.byteLength, br: 2, gzip: 1 },
    });
    expect((await copyMissingBlobs(registry.sql, local, wanted)).copied).toBe(0);
    local.close();
  });

  it("fails (copying nothing) when the database does not answer", async () => {
    const local = localAssets();
    const sql = pgClient("postgres://nano@127.0.0.1:1/none", { max: 1, connectTimeoutS: 1 });
    await expect(copyMissingBlobs(sql, local, ["a".repeat(64)])).rejects.toThrow();
    expect(await local.missing(["a".repeat(64)])).toEqual(["a".repeat(64)]);
    await sql.end({ timeout: 0 });
    local.close();
  });
});

describe("manifestAssetHashes", () => {
  it("names the blobs of a stored manifest's asset index, and none for others", () => {
    const h = "ab".repeat(32);
    const manifest = { assets: { directory: "public", files: { "/a.css": { hash: h, size: 1, type: "text/css" } } } };
    expect(manifestAssetHashes(JSON.stringify(manifest))).toEqual([h]);
    expect(manifestAssetHashes("{}")).toEqual([]);
    expect(manifestAssetHashes("not json")).toEqual([]);
    expect(manifestAssetHashes(JSON.stringify({ assets: { files: { "/x": { hash: "../etc" } } } }))).toEqual([]);
  });
});
