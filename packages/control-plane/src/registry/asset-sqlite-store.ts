/**
 * Asset blobs in the registry's SQLite file, table `asset_blobs` (migration 6): one row per form
 * (identity, br, gzip) of each hash. The supervisor writes (uploads); runtime processes and their
 * threads open the file read-only and read through a bounded cache (assets/asset-cache.ts). A form over
 * PIECE_BYTES is stored as pieces in `asset_blob_pieces` (migration 7; its asset_blobs row has empty
 * bytes), so `readRange` reads only the pieces it needs: SQLite's substr() of a BLOB loads all of it.
 */
import Database from "better-sqlite3";
import type { AssetEncoding } from "../assets/asset-index.js";
import { type AssetBlobInfo, type AssetStore, type BlobEncoding, blobInfo } from "./asset-store.js";

/** Bound parameters per IN (...) query: SQLite allows 32,766; 500 keeps each statement small. */
const CHUNK = 500;

/** Bytes per stored piece of a large blob. */
export const PIECE_BYTES = 64 * 1024;

export class SqliteAssetStore implements AssetStore {
  readonly #db: Database.Database;
  readonly #get: Database.Statement;
  readonly #pieces: Database.Statement;
  readonly #insertPiece: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #putAll: (hash: string, forms: [BlobEncoding, Uint8Array][]) => void;

  /** Opens the registry file, which the supervisor has created and migrated. */
  constructor(path: string, opts: { readonly?: boolean } = {}) {
    this.#db = new Database(path, { fileMustExist: true, readonly: opts.readonly ?? false });
    this.#db.pragma("busy_timeout = 5000");
    this.#get = this.#db.prepare("SELECT bytes, size FROM asset_blobs WHERE hash = ? AND encoding = ?");
    this.#pieces = this.#db.prepare(
      "SELECT bytes FROM asset_blob_pieces WHERE hash = ? AND encoding = ? AND seq BETWEEN ? AND ? ORDER BY seq",
    );
    this.#insertPiece = this.#db.prepare(
      "INSERT INTO asset_blob_pieces (hash, encoding, seq, bytes) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    this.#insert = this.#db.prepare(
      "INSERT INTO asset_blobs (hash, encoding, bytes, size) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    this.#putAll = this.#db.transaction((hash: string, forms: [BlobEncoding, Uint8Array][]) => {
      for (const [encoding, bytes] of forms) {
        if (bytes.byteLength <= PIECE_BYTES) {
          this.#insert.run(hash, encoding, bytes, bytes.byteLength);
          continue;
        }
        // A second store of the hash changes nothing (the row is there): its pieces are not rewritten.
        if (this.#insert.run(hash, encoding, Buffer.alloc(0), bytes.byteLength).changes === 0) continue;
        for (let seq = 0; seq * PIECE_BYTES < bytes.byteLength; seq++) {
          this.#insertPiece.run(hash, encoding, seq, bytes.subarray(seq * PIECE_BYTES, (seq + 1) * PIECE_BYTES));
        }
      }
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
    return blobInfo(this.#rows([...new Set(hashes)]));
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
    const row = this.#get.get(hash, encoding) as { bytes: Buffer; size: number } | undefined;
    if (!row) return null;
    if (row.bytes.byteLength === row.size) return row.bytes;
    return this.readRange(hash, encoding, 0, row.size - 1);
  }

  /**
   * Bytes `start`..`end` (inclusive) of one form, reading only the pieces that hold them (a blob stored
   * whole, before migration 7 or small, is read whole), or null when the store has no such form.
   */
  readRange(hash: string, encoding: BlobEncoding, start: number, end: number): Uint8Array | null {
    const first = Math.floor(start / PIECE_BYTES);
    const rows = this.#pieces.all(hash, encoding, first, Math.floor(end / PIECE_BYTES)) as { bytes: Buffer }[];
    if (rows.length === 0) {
      const row = this.#get.get(hash, encoding) as { bytes: Buffer } | undefined;
      return row ? row.bytes.subarray(start, end + 1) : null;
    }
    const joined = rows.length === 1 ? (rows[0] as { bytes: Buffer }).bytes : Buffer.concat(rows.map((r) => r.bytes));
    const from = start - first * PIECE_BYTES;
    return joined.subarray(from, from + end - start + 1);
  }

  close(): void {
    this.#db.close();
  }
}

/** For the worker threads (see ThreadData.assets): the module's factory. */
export function createAssetStore(options: { path: string }): AssetStore {
  return new SqliteAssetStore(options.path, { readonly: true });
}
