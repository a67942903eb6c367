/**
 * A node's registry.db as a replica of the PostgreSQL registry: the replicator writes each snapshot
 * into it in one SQLite transaction and sets its generation to PostgreSQL's, so the runtime
 * processes (which read this file, read-only, as on a single node) switch to the new state at once
 * and keep serving the last one while PostgreSQL is away. Activation history is not copied: only
 * the admin API reads it, from PostgreSQL.
 */
import { NanoError } from "@nano/worker";
import Database from "better-sqlite3";
import { type MirrorSnapshot, versionKey } from "./mirror-snapshot.js";

export class SqliteMirror {
  readonly #db: Database.Database;

  /** Opens a registry file the supervisor's SqliteStore has created and migrated. */
  constructor(path: string) {
    this.#db = new Database(path, { fileMustExist: true });
    this.#db.pragma("busy_timeout = 5000");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = ON");
  }

  /**
   * Marks the file as a mirror. A file that holds apps of its own (a single node's registry) is
   * refused rather than overwritten: the first copy would delete them.
   */
  adopt(path: string): void {
    const marked = this.#db.prepare("SELECT 1 FROM meta WHERE key = 'mirror'").get();
    if (marked) return;
    const { n } = this.#db.prepare("SELECT COUNT(*) AS n FROM apps").get() as { n: number };
    if (n > 0) {
      throw new NanoError(
        "NANO_ERR_CONFIG",
        `${path} is a single node's registry with ${n} app${n === 1 ? "" : "s"}, not a copy of the PostgreSQL registry: ` +
          "start this node with an empty data directory and deploy the apps to the shared registry",
      );
    }
    this.#db.prepare("INSERT INTO meta (key, value) VALUES ('mirror', 1)").run();
  }

  generation(): number {
    return (this.#db.prepare("SELECT value FROM meta WHERE key = 'generation'").get() as { value: number }).value;
  }

  /** The versions held (app, version, hash): their code need not be read again. */
  held(): Set<string> {
    const rows = this.#db.prepare("SELECT app, version, hash FROM versions").all() as {
      app: string;
      version: number;
      hash: string;
    }[];
    return new Set(rows.map((r) => versionKey(r.app, r.version, r.hash)));
  }

  /** The stored manifest (JSON) of a version the mirror holds, or null. */
  manifest(app: string, version: number): string | null {
    const row = this.#db.prepare("SELECT manifest FROM versions WHERE app = ? AND version = ?").get(app, version) as
      | { manifest: string }
      | undefined;
    return row?.manifest ?? null;
  }

  apply(s: MirrorSnapshot): void {
    this.#db.transaction(() => {
      const apps = new Set(s.apps.map((a) => a.name));
      for (const { name } of this.#db.prepare("SELECT name FROM apps").all() as { name: string }[]) {
        // Cascades to the app's versions, secrets and quarantine.
        if (!apps.has(name)) this.#db.prepare("DELETE FROM apps WHERE name = ?").run(name);
      }
      const upsertApp = this.#db.prepare(
        `INSERT INTO apps (name, created_at, updated_at, active_version) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET created_at = excluded.created_at, updated_at = excluded.updated_at,
           active_version = excluded.active_version`,
      );
      for (const a of s.apps) upsertApp.run(a.name, a.created_at, a.updated_at, a.active_version);
      // A version the registry no longer has, or has with other content (an app deleted and made
      // again under the same name), goes; the missing ones come with their code.
      const wanted = new Set(s.versions.map((v) => versionKey(v.app, v.version, v.hash)));
      const drop = this.#db.prepare("DELETE FROM versions WHERE app = ? AND version = ?");
      for (const key of this.held()) {
        if (wanted.has(key)) continue;
        const [app, version] = key.split("\0") as [string, string];
        drop.run(app, Number(version));
      }
      const insert = this.#db.prepare(
        "INSERT INTO versions (app, version, hash, code, manifest, cached_data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      );
      for (const v of s.versions) {
        if (v.body)
          insert.run(v.app, v.version, v.hash, v.body.code, v.body.manifest, v.body.cached_data, v.created_at);
      }
      this.#db.prepare("DELETE FROM secrets").run();
      const secret = this.#db.prepare("INSERT INTO secrets (app, key, sealed) VALUES (?, ?, ?)");
      for (const x of s.secrets) secret.run(x.app, x.key, x.sealed);
      this.#db.prepare("DELETE FROM quarantines").run();
      const q = this.#db.prepare(
        "INSERT INTO quarantines (app, until_ms, level, reason, since) VALUES (?, ?, ?, ?, ?)",
      );
      for (const x of s.quarantines) q.run(x.app, x.until_ms, x.level, x.reason, x.since);
      this.#db.prepare("UPDATE meta SET value = ? WHERE key = 'generation'").run(s.generation);
    })();
  }

  close(): void {
    this.#db.close();
  }
}
