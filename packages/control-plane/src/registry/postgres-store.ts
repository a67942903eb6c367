/**
 * The registry in PostgreSQL, for several nodes sharing one database. Every write is a transaction
 * that raises the generation and sends a NOTIFY on `nano_registry` (delivered at commit), so each
 * node's replicator learns of it at once. A deploy locks its app's row, so two nodes deploying the
 * same app at the same moment get consecutive versions; a deploy or rollback also takes one
 * registry-wide lock and checks route/port conflicts under it, so two nodes never activate
 * overlapping claims. The key that seals secrets comes from each node's configuration, never from
 * the database: the database holds only a MAC of a fixed string under it (`key_check`), and a node
 * with another key is refused before it serves anything.
 */
import { NanoError } from "@nano/worker";
import type postgres from "postgres";
import { APP_SELECT, type AppRow, toApp, toVersion, type VersionRow } from "./app-row.js";
import { pgClient } from "./pg-client.js";
import { registryError } from "./pg-errors.js";
import { PG_MIGRATIONS } from "./pg-migrations.js";
import type { SecretBox } from "./secret-box.js";
import type {
  Activation,
  AppRecord,
  ConflictCheck,
  Quarantine,
  RegistryStore,
  VersionInput,
  VersionRecord,
  VersionSummary,
} from "./store.js";

export const NOTIFY_CHANNEL = "nano_registry";
/** pg_advisory_xact_lock key for migrations: any constant both sides agree on ("NANO"). */
const MIGRATION_LOCK = 0x4e414e4f;
/**
 * pg_advisory_xact_lock key taken by every write that changes which routes and ports are active
 * (deploy, rollback): such writes take turns across nodes, so each one's conflict check reads the
 * claims every earlier one committed ("NANR").
 */
const CLAIMS_LOCK = 0x4e414e52;

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;

const now = () => new Date().toISOString();

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(an unparsable database URL)";
  }
}

export interface PostgresStoreOptions {
  url: string;
  box: SecretBox;
  /** Connections in the pool (default 4). */
  max?: number;
  /** Seconds to wait for a connection before a call fails as unavailable (default 3). */
  connectTimeoutS?: number;
}

export class PostgresStore implements RegistryStore {
  readonly sql: Sql;
  readonly url: string;
  readonly #box: SecretBox;

  private constructor(sql: Sql, url: string, box: SecretBox) {
    this.sql = sql;
    this.url = url;
    this.#box = box;
  }

  /** Connects, applies the migrations (once, under a lock) and checks the key; refuses another key. */
  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const sql = pgClient(opts.url, {
      max: opts.max ?? 4,
      ...(opts.connectTimeoutS ? { connectTimeoutS: opts.connectTimeoutS } : {}),
    });
    const store = new PostgresStore(sql, opts.url, opts.box);
    try {
      await store.#migrate();
      await store.#checkKey();
    } catch (err) {
      await sql.end({ timeout: 1 });
      throw registryError(err);
    }
    return store;
  }

  async #migrate(): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
      await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`;
      const applied = new Set(
        (await tx<{ version: number }[]>`SELECT version FROM schema_migrations`).map((r) => r.version),
      );
      for (const m of PG_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await tx.unsafe(m.sql);
        await tx`INSERT INTO schema_migrations (version, applied_at) VALUES (${m.version}, ${now()})`;
      }
    });
  }

  /** The first node records the key's MAC; every node after it must have the same key. */
  async #checkKey(): Promise<void> {
    const mac = this.#box.keyCheck();
    await this.sql`INSERT INTO key_check (id, mac, at) VALUES (1, ${mac}, ${now()}) ON CONFLICT (id) DO NOTHING`;
    const [row] = await this.sql<{ mac: string }[]>`SELECT mac FROM key_check WHERE id = 1`;
    if (row?.mac === mac) return;
    const [count] = await this.sql<{ n: string }[]>`SELECT COUNT(*) AS n FROM secrets`;
    const n = count?.n ?? "0";
    throw new NanoError(
      "NANO_ERR_CONFIG",
      `the secret key (NANO_SECRET_KEY or --secret-key-file) is not the key of the registry at ${redactUrl(this.url)} ` +
        `(${n} sealed secret${n === "1" ? "" : "s"}): give every node the key the first node started with`,
    );
  }

  /** Schema versions applied, for tests and diagnostics. */
  async schemaVersions(): Promise<number[]> {
    return this.#run(async () =>
      (await this.sql<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`).map(
        (r) => r.version,
      ),
    );
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw registryError(err);
    }
  }

  #write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#run(() => this.sql.begin((tx) => fn(tx)) as Promise<T>);
  }

  /** Raises the generation and tells every node (NOTIFY is delivered when the transaction commits). */
  async #bump(tx: Tx): Promise<void> {
    const [row] = await tx<
      { value: string }[]
    >`UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value`;
    await tx`SELECT pg_notify(${NOTIFY_CHANNEL}, ${row?.value ?? ""})`;
  }

  listApps(): Promise<AppRecord[]> {
    return this.#run(async () => (await this.sql.unsafe<AppRow[]>(`${APP_SELECT} ORDER BY a.name`)).map(toApp));
  }

  getApp(name: string): Promise<AppRecord | null> {
    return this.#run(async () => {
      const [row] = await this.sql.unsafe<AppRow[]>(`${APP_SELECT} WHERE a.name = $1`, [name]);
      return row ? toApp(row) : null;
    });
  }

  putVersion(app: string, input: VersionInput): Promise<{ version: number; created: boolean }> {
    return this.#write((tx) => this.#putVersion(tx, app, input));
  }

  /** Creates the app if new and locks its row: deploys of one app from several nodes take turns. */
  async #putVersion(tx: Tx, app: string, input: VersionInput): Promise<{ version: number; created: boolean }> {
    const t = now();
    await tx`INSERT INTO apps (name, created_at, updated_at) VALUES (${app}, ${t}, ${t}) ON CONFLICT (name) DO NOTHING`;
    await tx`SELECT 1 FROM apps WHERE name = ${app} FOR UPDATE`;
    const [existing] = await tx<
      { version: number }[]
    >`SELECT version FROM versions WHERE app = ${app} AND hash = ${input.hash}`;
    if (existing) return { version: existing.version, created: false };
    const [row] = await tx<
      { next: number }[]
    >`SELECT COALESCE(MAX(version), 0) + 1 AS next FROM versions WHERE app = ${app}`;
    const next = row?.next ?? 1;
    const cached = input.cachedData ? Buffer.from(input.cachedData) : null;
    await tx`INSERT INTO versions (app, version, hash, code, manifest, cached_data, created_at)
      VALUES (${app}, ${next}, ${input.hash}, ${input.code}, ${JSON.stringify(input.manifest)}, ${cached}, ${t})`;
    await this.#bump(tx);
    return { version: next, created: true };
  }

  /**
   * Takes the registry-wide claims lock, then runs `conflicts` on the apps as they are now: read after
   * the lock (READ COMMITTED: each statement sees what committed before it), so the claims of a write
   * that held the lock before this one are there.
   */
  async #checkClaims(tx: Tx, conflicts: ConflictCheck | undefined): Promise<void> {
    await tx`SELECT pg_advisory_xact_lock(${CLAIMS_LOCK})`;
    if (conflicts) conflicts((await tx.unsafe<AppRow[]>(`${APP_SELECT} ORDER BY a.name`)).map(toApp));
  }

  putVersionAndActivate(
    app: string,
    input: VersionInput,
    by: string,
    conflicts?: ConflictCheck,
  ): Promise<{ version: number; created: boolean }> {
    return this.#write(async (tx) => {
      await this.#checkClaims(tx, conflicts);
      const r = await this.#putVersion(tx, app, input);
      const [row] = await tx<{ active_version: number | null }[]>`SELECT active_version FROM apps WHERE name = ${app}`;
      if (row?.active_version === r.version) return r;
      await this.#activate(tx, app, r.version, by);
      await tx`DELETE FROM quarantines WHERE app = ${app}`;
      return r;
    });
  }

  getVersion(app: string, version: number): Promise<VersionRecord | null> {
    return this.#run(async () => {
      const [row] = await this.sql<
        VersionRow[]
      >`SELECT app, version, hash, code, manifest, cached_data, created_at FROM versions
        WHERE app = ${app} AND version = ${version}`;
      if (!row) return null;
      return toVersion(row);
    });
  }

  listVersions(app: string): Promise<VersionSummary[]> {
    return this.#run(async () => {
      const rows = await this.sql<{ version: number; hash: string; created_at: string; active: boolean }[]>`
        SELECT v.version, v.hash, v.created_at, (a.active_version IS NOT DISTINCT FROM v.version) AS active
        FROM versions v JOIN apps a ON a.name = v.app WHERE v.app = ${app} ORDER BY v.version DESC`;
      return rows.map((r) => ({ version: r.version, hash: r.hash, createdAt: r.created_at, active: r.active }));
    });
  }

  activate(app: string, version: number, by: string, conflicts?: ConflictCheck): Promise<void> {
    return this.#write(async (tx) => {
      await this.#checkClaims(tx, conflicts);
      await tx`SELECT 1 FROM apps WHERE name = ${app} FOR UPDATE`;
      await this.#activate(tx, app, version, by);
    });
  }

  async #activate(tx: Tx, app: string, version: number, by: string): Promise<void> {
    const [exists] = await tx`SELECT 1 FROM versions WHERE app = ${app} AND version = ${version}`;
    if (!exists) throw new Error(`version ${version} of ${app} does not exist`);
    const t = now();
    await tx`UPDATE apps SET active_version = ${version}, updated_at = ${t} WHERE name = ${app}`;
    await tx`INSERT INTO activations (app, version, at, by) VALUES (${app}, ${version}, ${t}, ${by})`;
    await this.#bump(tx);
  }

  activations(app: string): Promise<Activation[]> {
    return this.#run(
      async () =>
        await this.sql<Activation[]>`SELECT version, at, by FROM activations WHERE app = ${app} ORDER BY id DESC`,
    ).then((rows) => rows.map((r) => ({ version: r.version, at: r.at, by: r.by })));
  }

  deleteApp(name: string): Promise<boolean> {
    return this.#write(async (tx) => {
      const r = await tx`DELETE FROM apps WHERE name = ${name}`;
      if (r.count > 0) await this.#bump(tx);
      return r.count > 0;
    });
  }

  setSecret(app: string, key: string, value: string): Promise<void> {
    const sealed = this.#box.seal(value, `${app}\0${key}`);
    return this.#write(async (tx) => {
      await tx`INSERT INTO secrets (app, key, sealed) VALUES (${app}, ${key}, ${sealed})
        ON CONFLICT (app, key) DO UPDATE SET sealed = excluded.sealed`;
      await this.#bump(tx);
    });
  }

  deleteSecret(app: string, key: string): Promise<boolean> {
    return this.#write(async (tx) => {
      const r = await tx`DELETE FROM secrets WHERE app = ${app} AND key = ${key}`;
      if (r.count > 0) await this.#bump(tx);
      return r.count > 0;
    });
  }

  listSecretNames(app: string): Promise<string[]> {
    return this.#run(async () =>
      (await this.sql<{ key: string }[]>`SELECT key FROM secrets WHERE app = ${app} ORDER BY key`).map((r) => r.key),
    );
  }

  getSecrets(app: string): Promise<Record<string, string>> {
    return this.#run(async () => {
      const rows = await this.sql<
        { key: string; sealed: Buffer }[]
      >`SELECT key, sealed FROM secrets WHERE app = ${app}`;
      return Object.fromEntries(rows.map((r) => [r.key, this.#box.open(r.sealed, `${app}\0${r.key}`)]));
    });
  }

  quarantine(app: string, q: Omit<Quarantine, "since">): Promise<void> {
    return this.#write(async (tx) => {
      await tx`INSERT INTO quarantines (app, until_ms, level, reason, since)
        VALUES (${app}, ${q.untilMs}, ${q.level}, ${q.reason}, ${now()})
        ON CONFLICT (app) DO UPDATE SET until_ms = excluded.until_ms, level = excluded.level,
          reason = excluded.reason, since = excluded.since`;
      await this.#bump(tx);
    });
  }

  liftQuarantine(app: string): Promise<boolean> {
    return this.#write(async (tx) => {
      const r = await tx`DELETE FROM quarantines WHERE app = ${app}`;
      if (r.count > 0) await this.#bump(tx);
      return r.count > 0;
    });
  }

  generation(): Promise<number> {
    return this.#run(async () => {
      const [row] = await this.sql<{ value: string }[]>`SELECT value FROM meta WHERE key = 'generation'`;
      return Number(row?.value ?? 0);
    });
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 2 });
  }
}
