/**
 * The supervisor's registry, by configuration. One node: SQLite in the data directory, which the
 * runtime processes read. Several nodes (`databaseUrl`): PostgreSQL is the registry, and the data
 * directory's SQLite file becomes this node's mirror of it (registry-replicator.ts), which the
 * runtime processes read exactly as on one node. Asset blobs follow the registry: in PostgreSQL for
 * the admin side, copied into each node's file before a version that names them serves there.
 */
import { join } from "node:path";
import type { ServerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { PostgresAssetStore } from "./registry/asset-postgres-store.js";
import { SqliteAssetStore } from "./registry/asset-sqlite-store.js";
import type { AssetStore } from "./registry/asset-store.js";
import { asyncStore } from "./registry/async-store.js";
import { PostgresCronStore } from "./registry/cron-postgres-store.js";
import { SqliteCronStore } from "./registry/cron-sqlite-store.js";
import type { CronStore } from "./registry/cron-store.js";
import { PostgresStore, redactUrl } from "./registry/postgres-store.js";
import { SecretBox } from "./registry/secret-box.js";
import { configuredKey } from "./registry/secret-key.js";
import { SqliteMirror } from "./registry/sqlite-mirror.js";
import { SqliteStore } from "./registry/sqlite-store.js";
import type { RegistryStore } from "./registry/store.js";
import { type RegistryHealth, RegistryReplicator } from "./registry-replicator.js";

export interface OpenRegistry {
  /** The admin side's registry (PostgreSQL, or the local file). */
  store: RegistryStore;
  /** The node's local file, read synchronously (the cron scheduler, KV bindings, crash handling). */
  local: SqliteStore;
  /** Asset blobs for uploads and the deploy's checks (PostgreSQL, or the local file). */
  assets: AssetStore;
  /** Cron claims and outcomes, where every node sees them. */
  cronRuns: CronStore;
  /** The shared database's state; always available on one node. */
  health(): RegistryHealth;
  /** After an admin write: resolves when the local file has it (at once on one node). */
  changed(): Promise<void>;
  /** What to do when a change made elsewhere reaches the local file. */
  onApplied(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function openRegistry(config: ServerConfig, logger: Logger): Promise<OpenRegistry> {
  const path = join(config.dataDir, "registry.db");
  const key = configuredKey(config);
  // A new key file only for a registry without sealed secrets; a key that is not theirs is refused.
  const local = new SqliteStore(path, key ?? ((o) => SecretBox.fromFile(join(config.dataDir, "secret.key"), o)));
  if (config.databaseUrl === null) {
    const cronRuns = new SqliteCronStore(path);
    const assets = new SqliteAssetStore(path);
    return {
      store: asyncStore(local),
      local,
      assets,
      cronRuns,
      health: () => ({ available: true }),
      changed: async () => {},
      onApplied: () => {},
      async close() {
        await cronRuns.close();
        assets.close();
        local.close();
      },
    };
  }
  let pg: PostgresStore;
  try {
    pg = await PostgresStore.open({ url: config.databaseUrl, box: key as SecretBox });
  } catch (err) {
    local.close();
    throw err;
  }
  const mirror = new SqliteMirror(path);
  // Written by the replicator only (blobs copied from PostgreSQL); the runtime processes read it.
  const localAssets = new SqliteAssetStore(path);
  try {
    mirror.adopt(path);
  } catch (err) {
    localAssets.close();
    mirror.close();
    local.close();
    await pg.close();
    throw err;
  }
  let applied: () => Promise<void> = async () => {};
  const replicator = new RegistryReplicator({ pg, mirror, assets: localAssets, logger, onApplied: () => applied() });
  try {
    await replicator.start();
  } catch (err) {
    await replicator.stop();
    localAssets.close();
    mirror.close();
    local.close();
    await pg.close();
    throw err;
  }
  logger.info(
    { event: "registry", database: redactUrl(config.databaseUrl) },
    "registry in PostgreSQL, mirrored locally",
  );
  return {
    store: pg,
    local,
    assets: new PostgresAssetStore(pg.sql),
    cronRuns: new PostgresCronStore(pg.sql),
    health: () => replicator.health,
    // The write is in PostgreSQL already: if the mirror cannot follow now, it catches up later.
    changed: () => replicator.sync().catch(() => {}),
    onApplied: (fn) => {
      applied = fn;
    },
    async close() {
      await replicator.stop();
      localAssets.close();
      mirror.close();
      local.close();
      await pg.close();
    },
  };
}
