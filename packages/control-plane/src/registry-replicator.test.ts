import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../../../test/support/postgres.js";
import { createLogger } from "./logger.js";
import type { Manifest } from "./manifest.js";
import { PostgresAssetStore } from "./registry/asset-postgres-store.js";
import { SqliteAssetStore } from "./registry/asset-sqlite-store.js";
import { PostgresStore } from "./registry/postgres-store.js";
import { SecretBox } from "./registry/secret-box.js";
import { SqliteMirror } from "./registry/sqlite-mirror.js";
import { SqliteStore } from "./registry/sqlite-store.js";
import { RegistryReplicator } from "./registry-replicator.js";

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.close();
});

describe("RegistryReplicator with static assets", () => {
  it("applies a version only once its files are local: a copy that fails leaves the old state, the retry brings both", async () => {
    const box = new SecretBox(randomBytes(32));
    const registry = await PostgresStore.open({ url: await pg.createDatabase(), box });
    const css = Buffer.from("a { color: red }\n".repeat(20));
    const hash = createHash("sha256").update(css).digest("hex");
    await new PostgresAssetStore(registry.sql).put(hash, css, { gzip: Buffer.from("gz") });
    const manifest = {
      assets: {
        directory: "./public",
        notFound: "none",
        binding: "ASSETS",
        files: { "/a.css": { hash, size: css.length, type: "text/css; charset=utf-8", enc: { gzip: 2 } } },
      },
    } as unknown as Manifest;
    await registry.putVersionAndActivate("site", { hash: "v1", code: "x", manifest, cachedData: null }, "test");

    const path = join(mkdtempSync(join(tmpdir(), "nano-replicator-")), "registry.db");
    const local = new SqliteStore(path, box);
    const mirror = new SqliteMirror(path);
    mirror.adopt(path);
    const assets = new SqliteAssetStore(path);
    const replicator = new RegistryReplicator({
      pg: registry,
      mirror,
      assets,
      logger: createLogger({ level: "silent" }),
      onApplied: () => {},
    });
    try {
      // The blobs cannot be read (as when the database goes away mid-copy): nothing is applied.
      await registry.sql`ALTER TABLE asset_blobs RENAME TO asset_blobs_away`;
      await expect(replicator.sync()).rejects.toThrow(/asset_blobs/);
      expect(local.getApp("site")).toBeNull();
      expect(mirror.generation()).toBe(0);
      expect(replicator.health.available).toBe(false);

      await registry.sql`ALTER TABLE asset_blobs_away RENAME TO asset_blobs`;
      await replicator.sync();
      expect(local.getApp("site")?.activeVersion).toBe(1);
      expect(Buffer.from((await assets.get(hash, "identity")) ?? []).equals(css)).toBe(true);
      expect(Buffer.from((await assets.get(hash, "gzip")) ?? []).toString()).toBe("gz");
      expect(replicator.health.available).toBe(true);
    } finally {
      await replicator.stop();
      assets.close();
      mirror.close();
      local.close();
      await registry.close();
    }
  });
});
