/**
 * Assets for `nano serve`: the folder's files go into a registry file of their own in a temporary
 * folder (removed on close), through the same upload and index steps as a deploy, so the one-process
 * form serves them — and `env.ASSETS` reads them in the threads — exactly as `nano start` does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteAssetStore } from "../registry/asset-sqlite-store.js";
import { SecretBox } from "../registry/secret-box.js";
import { SqliteStore } from "../registry/sqlite-store.js";
import { buildAssetIndex } from "./asset-deploy.js";
import { collectAssets } from "./asset-files.js";
import type { AssetIndex, AssetsConfig } from "./asset-index.js";
import { storeUpload } from "./asset-upload.js";

export interface DevAssets {
  index: AssetIndex;
  /** The registry file that holds the blobs. */
  path: string;
  store: SqliteAssetStore;
  close(): void;
}

export async function loadDevAssets(appDir: string, config: AssetsConfig): Promise<DevAssets> {
  const dir = mkdtempSync(join(tmpdir(), "nano-serve-assets-"));
  const path = join(dir, "registry.db");
  try {
    new SqliteStore(path, SecretBox.fromFile(join(dir, "secret.key"))).close();
    const store = new SqliteAssetStore(path);
    const files = await collectAssets(appDir, config.directory);
    const list: Record<string, string> = {};
    for (const f of files) {
      list[f.path] = f.hash;
      await storeUpload(store, f.hash, await readFile(f.file));
    }
    const index = (await buildAssetIndex(config, list, store)) as AssetIndex;
    return {
      index,
      path,
      store,
      close() {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
