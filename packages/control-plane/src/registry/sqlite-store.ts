/**
 * The registry in one SQLite file (better-sqlite3, WAL): every write is a transaction, so a crash
 * leaves either the old state or the new one. Activation is a single UPDATE: there is no moment when
 * an app has no active version or a half-written one. The writer checks on open that the secret key
 * is the one the registry's secrets were sealed with (a MAC in `key_check`), and refuses to start
 * with another.
 */
import { NanoError } from "@nano/worker";
import Database from "better-sqlite3";
import { APP_SELECT, type AppRow, toApp, toVersion, type VersionRow } from "./app-row.js";
import { MIGRATIONS } from "./migrations.js";
import type { SecretBox } from "./secret-box.js";
import type {
  Activation,
  AppRecord,
  ConflictCheck,
  Quarantine,
  SyncRegistryStore,
  VersionInput,
  VersionRecord,
  VersionSummary,
} from "./store.js";

const now = () => new Date().toISOString();

/**
 * The secret key, or how to load it once the registry is open: `create` is false while the registry
 * holds sealed secrets, so a missing key file is an error then instead of a new key.
 */
export type KeySource = SecretBox | ((opts: { create: boolean }) => SecretBox);

export class SqliteStore implements SyncRegistryStore {
  readonly #db: Database.Database;
  readonly #box: SecretBox;

  /**
   * `readonly` opens an existing, migrated registry for a serving process: it reads, never writes
   * (the supervisor is the one writer, and the one that checks the key).
   */
  constructor(path: string, key: KeySource, opts: { readonly?: boolean } = {}) {
    this.#db = new Database(path, opts.readonly ? { readonly: true, fileMustExist: true } : {});
    this.#db.pragma("busy_timeout = 5000");
    if (opts.readonly) {
      this.#box = typeof key === "function" ? key({ create: false }) : key;
      return;
    }
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = ON");
    this.#migrate();
    try {
      this.#box = this.#checkKey(path, key);
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  /**
   * Loads the key and checks it against the registry. A key that is not the one its secrets were
   * sealed with, or a missing key file while there are sealed secrets, is refused: starting anyway
   * would fail every app with secrets at request time. With no secrets there is nothing to lose: a
   * new key is recorded.
   */
  #checkKey(path: string, key: KeySource): SecretBox {
    const { n: sealed } = this.#db.prepare("SELECT COUNT(*) AS n FROM secrets").get() as { n: number };
    const remedy = `restore the original key file, or remove the sealed secrets (DELETE FROM secrets in ${path}) and set them again`;
    const secrets = `${sealed} secret${sealed === 1 ? "" : "s"}`;
    let box: SecretBox;
    try {
      box = typeof key === "function" ? key({ create: sealed === 0 }) : key;
    } catch (err) {
      const missing = err instanceof NanoError && (err.cause as NodeJS.ErrnoException)?.code === "ENOENT";
      if (!missing) throw err;
      throw new NanoError(
        "NANO_ERR_CONFIG",
        `${err.message}, but the registry holds ${secrets} sealed with it: ${remedy}`,
      );
    }
    const file = box.path === null ? "the secret key" : `the secret key file ${box.path}`;
    if (sealed > 0 && box.created) {
      throw new NanoError(
        "NANO_ERR_CONFIG",
        `${file} was missing (a new key was made), but the registry holds ${secrets} sealed with the old one: ${remedy}`,
      );
    }
    const mac = box.keyCheck();
    const stored = this.#db.prepare("SELECT mac FROM key_check WHERE id = 1").get() as { mac: string } | undefined;
    if (stored?.mac === mac) return box;
    // No check yet (a registry from before it): its secrets tell whether the key is theirs.
    if (sealed > 0 && (stored !== undefined || !this.#opensOneSecret(box))) {
      throw new NanoError("NANO_ERR_CONFIG", `${file} is not the key that sealed the registry's ${secrets}: ${remedy}`);
    }
    this.#db
      .prepare(
        "INSERT INTO key_check (id, mac, at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET mac = excluded.mac, at = excluded.at",
      )
      .run(mac, now());
    return box;
  }

  #opensOneSecret(box: SecretBox): boolean {
    const row = this.#db.prepare("SELECT app, key, sealed FROM secrets LIMIT 1").get() as
      | { app: string; key: string; sealed: Buffer }
      | undefined;
    if (!row) return true;
    try {
      box.open(row.sealed, `${row.app}\0${row.key}`);
      return true;
    } catch {
      return false;
    }
  }

  #migrate(): void {
    this.#db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    );
    const applied = new Set(
      (this.#db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.#db.transaction(() => {
        this.#db.exec(m.sql);
        this.#db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(m.version, now());
      })();
    }
  }

  /** Schema versions applied, for tests and diagnostics. */
  schemaVersions(): number[] {
    return (
      this.#db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]
    ).map((r) => r.version);
  }

  #bump(): void {
    this.#db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'generation'").run();
  }

  listApps(): AppRecord[] {
    return (this.#db.prepare(`${APP_SELECT} ORDER BY a.name`).all() as AppRow[]).map(toApp);
  }

  getApp(name: string): AppRecord | null {
    const row = this.#db.prepare(`${APP_SELECT} WHERE a.name = ?`).get(name) as AppRow | undefined;
    return row ? toApp(row) : null;
  }

  putVersion(app: string, input: VersionInput): { version: number; created: boolean } {
    return this.#db.transaction(() => this.#putVersion(app, input))();
  }

  #putVersion(app: string, input: VersionInput): { version: number; created: boolean } {
    const t = now();
    this.#db.prepare("INSERT OR IGNORE INTO apps (name, created_at, updated_at) VALUES (?, ?, ?)").run(app, t, t);
    const existing = this.#db.prepare("SELECT version FROM versions WHERE app = ? AND hash = ?").get(app, input.hash) as
      | { version: number }
      | undefined;
    if (existing) return { version: existing.version, created: false };
    const { next } = this.#db
      .prepare("SELECT COALESCE(MAX(version), 0) + 1 AS next FROM versions WHERE app = ?")
      .get(app) as { next: number };
    this.#db
      .prepare(
        "INSERT INTO versions (app, version, hash, code, manifest, cached_data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(app, next, input.hash, input.code, JSON.stringify(input.manifest), input.cachedData, t);
    this.#bump();
    return { version: next, created: true };
  }

  putVersionAndActivate(
    app: string,
    input: VersionInput,
    by: string,
    conflicts?: ConflictCheck,
  ): { version: number; created: boolean } {
    // IMMEDIATE: the write lock is taken first, so the conflict check reads what the write commits on.
    return this.#db
      .transaction(() => {
        conflicts?.(this.listApps());
        const r = this.#putVersion(app, input);
        const { active_version: active } = this.#db
          .prepare("SELECT active_version FROM apps WHERE name = ?")
          .get(app) as { active_version: number | null };
        if (active === r.version) return r;
        this.#activate(app, r.version, by);
        this.#db.prepare("DELETE FROM quarantines WHERE app = ?").run(app);
        return r;
      })
      .immediate();
  }

  getVersion(app: string, version: number): VersionRecord | null {
    const row = this.#db
      .prepare(
        "SELECT app, version, hash, code, manifest, cached_data, created_at FROM versions WHERE app = ? AND version = ?",
      )
      .get(app, version) as VersionRow | undefined;
    if (!row) return null;
    return toVersion(row);
  }

  listVersions(app: string): VersionSummary[] {
    const active = this.getApp(app)?.activeVersion ?? null;
    return (
      this.#db
        .prepare("SELECT version, hash, created_at FROM versions WHERE app = ? ORDER BY version DESC")
        .all(app) as {
        version: number;
        hash: string;
        created_at: string;
      }[]
    ).map((r) => ({ version: r.version, hash: r.hash, createdAt: r.created_at, active: r.version === active }));
  }

  activate(app: string, version: number, by: string, conflicts?: ConflictCheck): void {
    this.#db
      .transaction(() => {
        conflicts?.(this.listApps());
        this.#activate(app, version, by);
      })
      .immediate();
  }

  #activate(app: string, version: number, by: string): void {
    const exists = this.#db.prepare("SELECT 1 FROM versions WHERE app = ? AND version = ?").get(app, version);
    if (!exists) throw new Error(`version ${version} of ${app} does not exist`);
    const t = now();
    this.#db.prepare("UPDATE apps SET active_version = ?, updated_at = ? WHERE name = ?").run(version, t, app);
    this.#db.prepare("INSERT INTO activations (app, version, at, by) VALUES (?, ?, ?, ?)").run(app, version, t, by);
    this.#bump();
  }

  activations(app: string): Activation[] {
    return this.#db
      .prepare("SELECT version, at, by FROM activations WHERE app = ? ORDER BY rowid DESC")
      .all(app) as Activation[];
  }

  deleteApp(name: string): boolean {
    return this.#db.transaction(() => {
      const r = this.#db.prepare("DELETE FROM apps WHERE name = ?").run(name);
      if (r.changes > 0) this.#bump();
      return r.changes > 0;
    })();
  }

  setSecret(app: string, key: string, value: string): void {
    this.#db.transaction(() => {
      const sealed = this.#box.seal(value, `${app}\0${key}`);
      this.#db
        .prepare(
          "INSERT INTO secrets (app, key, sealed) VALUES (?, ?, ?) ON CONFLICT (app, key) DO UPDATE SET sealed = excluded.sealed",
        )
        .run(app, key, sealed);
      this.#bump();
    })();
  }

  deleteSecret(app: string, key: string): boolean {
    return this.#db.transaction(() => {
      const r = this.#db.prepare("DELETE FROM secrets WHERE app = ? AND key = ?").run(app, key);
      if (r.changes > 0) this.#bump();
      return r.changes > 0;
    })();
  }

  listSecretNames(app: string): string[] {
    return (this.#db.prepare("SELECT key FROM secrets WHERE app = ? ORDER BY key").all(app) as { key: string }[]).map(
      (r) => r.key,
    );
  }

  getSecrets(app: string): Record<string, string> {
    const rows = this.#db.prepare("SELECT key, sealed FROM secrets WHERE app = ?").all(app) as {
      key: string;
      sealed: Buffer;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, this.#box.open(r.sealed, `${app}\0${r.key}`)]));
  }

  quarantine(app: string, q: Omit<Quarantine, "since">): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO quarantines (app, until_ms, level, reason, since) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (app) DO UPDATE SET until_ms = excluded.until_ms, level = excluded.level,
             reason = excluded.reason, since = excluded.since`,
        )
        .run(app, q.untilMs, q.level, q.reason, now());
      this.#bump();
    })();
  }

  liftQuarantine(app: string): boolean {
    return this.#db.transaction(() => {
      const r = this.#db.prepare("DELETE FROM quarantines WHERE app = ?").run(app);
      if (r.changes > 0) this.#bump();
      return r.changes > 0;
    })();
  }

  generation(): number {
    return (this.#db.prepare("SELECT value FROM meta WHERE key = 'generation'").get() as { value: number }).value;
  }

  close(): void {
    this.#db.close();
  }
}
