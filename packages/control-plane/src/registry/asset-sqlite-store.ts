/**
 * Asset blobs in the registry's SQLite file, table `asset_blobs` (migration 6): one row per form
 * (identity, br, gzip) of each hash. The supervisor writes (uploads); runtime processes and their
 * threads open the file read-only and read through a bounded cache (assets/asset-cache.ts).
 */
import Database from "better-sqlite3";
import type { AssetEncoding } from "../assets/asset-index.js";
import type { AssetBlobInfo, AssetStore, BlobEncoding } from "./asset-store.js";

/** Bound parameters per IN (...) query: SQLite allows 32,766; 500 keeps each statement small. */
const CHUNK = 500;

export class SqliteAssetStore implements AssetStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #putAll: (hash: string, forms: [BlobEncoding, Uint8Array][]) => void;

  /** Opens the registry file, which the supervisor has created and migrated. */
  constructor(path: string, opts: { readonly?: boolean } = {}) {
    this.#db = new Database(path, { fileMustExist: true, readonly: opts.readonly ?? false });
    this.#db.pragma("busy_timeout = 5000");
    this.#get = this.#db.prepare("SELECT bytes FROM asset_blobs WHERE hash = ? AND encoding = ?");
    this.#insert = this.#db.prepare(
      "INSERT INTO asset_blobs (hash, encoding, bytes, size) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    this.#putAll = this.#db.transaction((hash: string, forms: [BlobEncoding, Uint8Array][]) => {
      for (const [encoding, bytes] of forms) this.#insert.run(hash, encoding, bytes, bytes.byteLength);
    });
  }

  #rows(hashes: readonly string[]): { hash: string; encoding: BlobEncoding; size: number }[] {
    const out: { hash: string; encoding: BlobEncoding; size: number }[] = [];
    for (let i = 0; i < hashes.length; i += CHUNK) {
      const part = hashes.slice(i, i + CHUNK);
      const sql = `SELECT hash, encoding, size FROM asset_blobs WHERE hash IN (${part.map(() => "?").join(",")})`;
      out.push(...(this.#db.prepare(sql).all(...part) as typeof out));
    }
    return out;
  }

  async missing(hashes: readonly string[]): Promise<string[]> {
    const have = new Set(this.#rows(hashes).map((r) => r.hash));
    return [...new Set(hashes)].filter((h) => !have.has(h));
  }

  async info(hashes: readonly string[]): Promise<Map<string, AssetBlobInfo>> {
    const sizes = new Map<string, Partial<Record<BlobEncoding, number>>>();
    for (const r of this.#rows([...new Set(hashes)])) {
      const s = sizes.get(r.hash) ?? {};
      s[r.encoding] = r.size;
      sizes.set(r.hash, s);
    }
    const out = new Map<string, AssetBlobInfo>();
    for (const [hash, s] of sizes) {
      if (s.identity !== undefined) out.set(hash, { sizes: s as AssetBlobInfo["sizes"] });
    }
    return out;
  }

  async put(hash: string, bytes: Uint8Array, compressed: Partial<Record<AssetEncoding, Uint8Array>>): Promise<void> {
    const forms: [BlobEncoding, Uint8Array][] = [["identity", bytes]];
    for (const [enc, b] of Object.entries(compressed)) if (b) forms.push([enc as AssetEncoding, b]);
    this.#putAll(hash, forms);
  }

  /**
   * Stores every form of a hash as given, in one transaction (a node's mirror copying a blob from
   * PostgreSQL, asset-mirror-copy.ts): a reader never sees some of a hash's forms without the others.
   */
  putForms(hash: string, forms: [BlobEncoding, Uint8Array][]): void {
    this.#putAll(hash, forms);
  }

  async get(hash: string, encoding: BlobEncoding): Promise<Uint8Array | null> {
    const row = this.#get.get(hash, encoding) as { bytes: Buffer } | undefined;
    return row ? row.bytes : null;
  }

  close(): void {
    this.#db.close();
  }
}

/** For the worker threads (see ThreadData.assets): the module's factory. */
export function createAssetStore(options: { path: string }): AssetStore {
  return new SqliteAssetStore(options.path, { readonly: true });
}
