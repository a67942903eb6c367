/** Schema migrations, versioned in code and applied in order inside one transaction each. */
export const MIGRATIONS: { version: number; sql: string }[] = [
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
        cached_data BLOB,
        created_at TEXT NOT NULL,
        PRIMARY KEY (app, version),
        UNIQUE (app, hash)
      );
      CREATE TABLE activations (
        app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        at TEXT NOT NULL,
        by TEXT NOT NULL
      );
      CREATE INDEX activations_app ON activations(app);
      CREATE TABLE secrets (
        app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        sealed BLOB NOT NULL,
        PRIMARY KEY (app, key)
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO meta (key, value) VALUES ('generation', 0);
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE quarantines (
        app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
        until_ms INTEGER NOT NULL,
        level INTEGER NOT NULL,
        reason TEXT NOT NULL,
        since TEXT NOT NULL
      );
    `,
  },
  {
    // A MAC under the secret key of a fixed string (never the key): a replaced key is recognised.
    version: 3,
    sql: `
      CREATE TABLE key_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        mac TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
  {
    // Workers KV (kv-sqlite-store.ts): keys are UTF-8 bytes, so list() orders them as Cloudflare does
    // and a prefix is a byte range. Expiration in epoch seconds; expired rows are purged later.
    version: 4,
    sql: `
      CREATE TABLE kv_entries (
        namespace TEXT NOT NULL,
        key BLOB NOT NULL,
        value BLOB NOT NULL,
        metadata TEXT,
        expiration INTEGER,
        PRIMARY KEY (namespace, key)
      );
      CREATE INDEX kv_entries_expiration ON kv_entries(expiration) WHERE expiration IS NOT NULL;
      -- Bytes each namespace holds (keys, values, metadata; expired entries until purged), kept in the
      -- same transaction as every write, so the quota check and the metric never scan the entries.
      CREATE TABLE kv_usage (namespace TEXT PRIMARY KEY, bytes INTEGER NOT NULL);
    `,
  },
  {
    // Cron runs (cron-sqlite-store.ts): the row is the claim, so each occurrence runs once even when
    // several nodes share the database; it keeps the outcome for `nano apps info`.
    version: 5,
    sql: `
      CREATE TABLE cron_runs (
        app TEXT NOT NULL,
        cron TEXT NOT NULL,
        scheduled_ms INTEGER NOT NULL,
        node TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        finished_ms INTEGER,
        outcome TEXT,
        error TEXT,
        PRIMARY KEY (app, cron, scheduled_ms)
      );
    `,
  },
  {
    // Static assets (asset-sqlite-store.ts): content-addressed blobs, one row per form (identity, br,
    // gzip). Which path names which blob is the version's asset index, inside its manifest.
    version: 6,
    sql: `
      CREATE TABLE asset_blobs (
        hash TEXT NOT NULL,
        encoding TEXT NOT NULL,
        bytes BLOB NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (hash, encoding)
      );
    `,
  },
  {
    // A blob over 64 KiB is stored as 64 KiB pieces (its asset_blobs row keeps the size, bytes empty), so
    // a large file or a range of it is read piece by piece: SQLite's substr() of a BLOB reads it whole.
    // Blobs stored before are split here (PIECE_BYTES in asset-sqlite-store.ts is the same 64 KiB).
    version: 7,
    sql: `
      CREATE TABLE asset_blob_pieces (
        hash TEXT NOT NULL,
        encoding TEXT NOT NULL,
        seq INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (hash, encoding, seq)
      );
      WITH RECURSIVE piece(hash, encoding, seq) AS (
        SELECT hash, encoding, 0 FROM asset_blobs WHERE size > 65536
        UNION ALL
        SELECT p.hash, p.encoding, p.seq + 1 FROM piece p
          JOIN asset_blobs b ON b.hash = p.hash AND b.encoding = p.encoding
          WHERE (p.seq + 1) * 65536 < b.size
      )
      INSERT INTO asset_blob_pieces (hash, encoding, seq, bytes)
        SELECT p.hash, p.encoding, p.seq, substr(b.bytes, p.seq * 65536 + 1, 65536) FROM piece p
          JOIN asset_blobs b ON b.hash = p.hash AND b.encoding = p.encoding;
      UPDATE asset_blobs SET bytes = x'' WHERE size > 65536;
    `,
  },
];
