/**
 * The PostgreSQL registry's schema, versioned in code like migrations.ts (SQLite) and applied in one
 * transaction under an advisory lock, so nodes starting together apply each version once. The
 * tables mirror SQLite's, with an ordered id for activations; `manifest` is opaque JSON text.
 */
export const PG_MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE apps (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        active_version INTEGER
      );
      CREATE TABLE versions (
        app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        hash TEXT NOT NULL,
        code TEXT NOT NULL,
        manifest TEXT NOT NULL,
        cached_data BYTEA,
        created_at TEXT NOT NULL,
        PRIMARY KEY (app, version),
        UNIQUE (app, hash)
      );
      CREATE TABLE activations (
        id BIGSERIAL PRIMARY KEY,
        app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        at TEXT NOT NULL,
        by TEXT NOT NULL
      );
      CREATE INDEX activations_app ON activations(app, id);
      CREATE TABLE secrets (
        app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        sealed BYTEA NOT NULL,
        PRIMARY KEY (app, key)
      );
      CREATE TABLE quarantines (
        app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
        until_ms BIGINT NOT NULL,
        level INTEGER NOT NULL,
        reason TEXT NOT NULL,
        since TEXT NOT NULL
      );
      CREATE TABLE key_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        mac TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
      INSERT INTO meta (key, value) VALUES ('generation', 0);
      -- Cron runs (cron-postgres-store.ts): the primary key is the claim, so an occurrence runs on one node.
      CREATE TABLE cron_runs (
        app TEXT NOT NULL,
        cron TEXT NOT NULL,
        scheduled_ms BIGINT NOT NULL,
        node TEXT NOT NULL,
        started_ms BIGINT NOT NULL,
        finished_ms BIGINT,
        outcome TEXT,
        error TEXT,
        PRIMARY KEY (app, cron, scheduled_ms)
      );
    `,
  },
  {
    version: 2,
    sql: `
      -- Asset blobs (asset-postgres-store.ts), as SQLite's migration 6: one row per form of each hash.
      -- Each node copies the ones its mirrored versions name into its local file (asset-mirror-copy.ts).
      CREATE TABLE asset_blobs (
        hash TEXT NOT NULL,
        encoding TEXT NOT NULL,
        bytes BYTEA NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (hash, encoding)
      );
    `,
  },
];
