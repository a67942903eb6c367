/**
 * Workers KV in the registry's SQLite file, in its own table (migration 4). Every runtime thread opens
 * its own connection: SQLite in WAL mode lets each of them read while one writes, and a writer waits
 * for another (busy_timeout) instead of failing. `synchronous = FULL`: a put is on disk when it returns.
 */
import { KV_LIMITS, type KvListPage, type KvStore, type KvValue } from "@nano/worker";
import Database from "better-sqlite3";
import type { KvAdminStore, KvNamespaceStats } from "./kv-admin-store.js";

interface Row {
  value: Buffer;
  metadata: string | null;
  expiration: number | null;
}

const LIVE = "(expiration IS NULL OR expiration > ?)";
/** What an entry counts against its namespace: key, value and metadata bytes. */
const ENTRY_BYTES = "(length(key) + length(value) + COALESCE(length(CAST(metadata AS BLOB)), 0))";

/** The first byte string after every string that starts with `prefix` (UTF-8 never has 0xFF). */
function prefixEnd(prefix: Buffer): Buffer | null {
  if (prefix.length === 0) return null;
  const end = Buffer.from(prefix);
  end[end.length - 1] = (end[end.length - 1] as number) + 1;
  return end;
}

export class SqliteKvStore implements KvAdminStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #size: Database.Statement;
  readonly #usage: Database.Statement;
  readonly #addUsage: Database.Statement;
  /** Epoch seconds (a test moves time on). */
  readonly #now: () => number;
  readonly #maxBytes: number;
  readonly #write: (fn: () => void) => void;

  /** Opens the registry file, which the supervisor has created and migrated. */
  constructor(path: string, opts: { now?: () => number; maxNamespaceBytes?: number } = {}) {
    this.#now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.#maxBytes = opts.maxNamespaceBytes ?? KV_LIMITS.namespaceBytes;
    this.#db = new Database(path, { fileMustExist: true });
    this.#db.pragma("busy_timeout = 5000");
    this.#db.pragma("synchronous = FULL");
    this.#get = this.#db.prepare(
      `SELECT value, metadata, expiration FROM kv_entries WHERE namespace = ? AND key = ? AND ${LIVE}`,
    );
    this.#put = this.#db.prepare(
      `INSERT INTO kv_entries (namespace, key, value, metadata, expiration) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata,
       expiration = excluded.expiration`,
    );
    this.#delete = this.#db.prepare("DELETE FROM kv_entries WHERE namespace = ? AND key = ?");
    this.#size = this.#db.prepare(`SELECT ${ENTRY_BYTES} AS bytes FROM kv_entries WHERE namespace = ? AND key = ?`);
    this.#usage = this.#db.prepare("SELECT bytes FROM kv_usage WHERE namespace = ?");
    this.#addUsage = this.#db.prepare(
      `INSERT INTO kv_usage (namespace, bytes) VALUES (?, ?)
       ON CONFLICT (namespace) DO UPDATE SET bytes = bytes + excluded.bytes`,
    );
    // IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before the usage is read, so two
    // writers never both pass the quota check, and a read never has to be upgraded under contention.
    const tx = this.#db.transaction((fn: () => void) => fn());
    this.#write = (fn) => tx.immediate(fn);
  }

  #oldBytes(namespace: string, key: Buffer): number {
    return (this.#size.get(namespace, key) as { bytes: number } | undefined)?.bytes ?? 0;
  }

  get(namespace: string, key: string): KvValue | null {
    const row = this.#get.get(namespace, Buffer.from(key, "utf8"), this.#now()) as Row | undefined;
    if (!row) return null;
    return { value: row.value, metadata: row.metadata, expiration: row.expiration };
  }

  put(namespace: string, key: string, value: Uint8Array, metadata: string | null, expiration: number | null): void {
    const k = Buffer.from(key, "utf8");
    const bytes = k.length + value.byteLength + (metadata === null ? 0 : Buffer.byteLength(metadata));
    this.#write(() => {
      const delta = bytes - this.#oldBytes(namespace, k);
      const used = (this.#usage.get(namespace) as { bytes: number } | undefined)?.bytes ?? 0;
      if (delta > 0 && used + delta > this.#maxBytes) {
        throw new RangeError(
          `KV put: namespace "${namespace}" would hold ${used + delta} bytes, over its limit of ${this.#maxBytes}`,
        );
      }
      this.#put.run(namespace, k, Buffer.from(value.buffer, value.byteOffset, value.byteLength), metadata, expiration);
      this.#addUsage.run(namespace, delta);
    });
  }

  delete(namespace: string, key: string): void {
    const k = Buffer.from(key, "utf8");
    this.#write(() => {
      const old = this.#oldBytes(namespace, k);
      this.#delete.run(namespace, k);
      if (old > 0) this.#addUsage.run(namespace, -old);
    });
  }

  /** Bytes each namespace holds, expired entries included until they are purged (cheap: for metrics). */
  usage(): { name: string; bytes: number }[] {
    return this.#db
      .prepare("SELECT namespace AS name, bytes FROM kv_usage WHERE bytes > 0 ORDER BY namespace")
      .all() as {
      name: string;
      bytes: number;
    }[];
  }

  list(namespace: string, opts: { prefix: string; limit: number; cursor: string | null }): KvListPage {
    const prefix = Buffer.from(opts.prefix, "utf8");
    const after = opts.cursor === null ? null : decodeCursor(opts.cursor);
    const end = prefixEnd(prefix);
    const where = ["namespace = ?", LIVE, "key >= ?"];
    const params: unknown[] = [namespace, this.#now(), prefix];
    if (after !== null) {
      where.push("key > ?");
      params.push(after);
    }
    if (end !== null) {
      where.push("key < ?");
      params.push(end);
    }
    const limit = Math.max(1, Math.min(KV_LIMITS.listLimit, opts.limit));
    const rows = this.#db
      .prepare(`SELECT key, expiration, metadata FROM kv_entries WHERE ${where.join(" AND ")} ORDER BY key LIMIT ?`)
      .all(...params, limit + 1) as { key: Buffer; expiration: number | null; metadata: string | null }[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      keys: page.map((r) => ({ name: r.key.toString("utf8"), expiration: r.expiration, metadata: r.metadata })),
      cursor: more ? encodeCursor((page[page.length - 1] as { key: Buffer }).key) : null,
    };
  }

  namespaces(): KvNamespaceStats[] {
    return this.#db
      .prepare(
        `SELECT namespace AS name, COUNT(*) AS keys, SUM(${ENTRY_BYTES}) AS bytes
         FROM kv_entries WHERE ${LIVE} GROUP BY namespace ORDER BY namespace`,
      )
      .all(this.#now()) as KvNamespaceStats[];
  }

  purgeExpired(): number {
    let purged = 0;
    this.#write(() => {
      const now = this.#now();
      const expired = `expiration IS NOT NULL AND expiration <= ?`;
      const freed = this.#db
        .prepare(`SELECT namespace, SUM(${ENTRY_BYTES}) AS bytes FROM kv_entries WHERE ${expired} GROUP BY namespace`)
        .all(now) as { namespace: string; bytes: number }[];
      for (const f of freed) this.#addUsage.run(f.namespace, -f.bytes);
      purged = this.#db.prepare(`DELETE FROM kv_entries WHERE ${expired}`).run(now).changes;
    });
    return purged;
  }

  close(): void {
    this.#db.close();
  }
}

/** A cursor is the page's last key, base64url: opaque to the app, checked when it comes back. */
function encodeCursor(key: Buffer): string {
  return key.toString("base64url");
}

function decodeCursor(cursor: string): Buffer {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(cursor)) throw new TypeError("KV list: invalid cursor");
  return Buffer.from(cursor, "base64url");
}

/** For the runtime threads (ThreadData.kv): the module they import to open the store. */
export function createKvStore(options: { path: string }): KvStore {
  return new SqliteKvStore(options.path);
}
