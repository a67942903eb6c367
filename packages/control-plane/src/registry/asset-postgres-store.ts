/**
 * Asset blobs in the PostgreSQL registry (several nodes), table `asset_blobs` (PostgreSQL migration
 * 2): one row per form (identity, br, gzip) of each hash, as in SQLite. The admin side's uploads and
 * the deploy's checks use it, so every node answers `missing` alike; runtime processes never read it:
 * each node's replicator copies the blobs its mirrored versions name into the local file first
 * (asset-mirror-copy.ts). It shares the registry's connection pool (PostgresStore.sql).
 */
import type postgres from "postgres";
import type { AssetEncoding } from "../assets/asset-index.js";
import { type AssetBlobInfo, type AssetStore, type BlobEncoding, blobInfo } from "./asset-store.js";
import { registryCall } from "./pg-errors.js";

/** Hashes per query: a version holds up to 20,000 files; each array parameter stays small. */
const CHUNK = 1_000;

export class PostgresAssetStore implements AssetStore {
  readonly #sql: postgres.Sql;

  constructor(sql: postgres.Sql) {
    this.#sql = sql;
  }

  async #rows(hashes: readonly string[]): Promise<{ hash: string; encoding: BlobEncoding; size: number }[]> {
    const out: { hash: string; encoding: BlobEncoding; size: number }[] = [];
    for (let i = 0; i < hashes.length; i += CHUNK) {
      const part = hashes.slice(i, i + CHUNK) as string[];
      out.push(
        ...(await this.#sql<{ hash: string; encoding: BlobEncoding; size: number }[]>`
          SELECT hash, encoding, size FROM asset_blobs WHERE hash = ANY(${this.#sql.array(part)}::text[])`),
      );
    }
    return out;
  }

  missing(hashes: readonly string[]): Promise<string[]> {
    return registryCall(async () => {
      const unique = [...new Set(hashes)];
      const have = new Set((await this.#rows(unique)).map((r) => r.hash));
      return unique.filter((h) => !have.has(h));
    });
  }

  info(hashes: readonly string[]): Promise<Map<string, AssetBlobInfo>> {
    return registryCall(async () => blobInfo(await this.#rows([...new Set(hashes)])));
  }

  /** All forms in one transaction: a node never sees a hash with some of its forms only. */
  put(hash: string, bytes: Uint8Array, compressed: Partial<Record<AssetEncoding, Uint8Array>>): Promise<void> {
    const forms: [BlobEncoding, Uint8Array][] = [["identity", bytes]];
    for (const [enc, b] of Object.entries(compressed)) if (b) forms.push([enc as AssetEncoding, b]);
    return registryCall(async () => {
      await this.#sql.begin(async (tx) => {
        for (const [encoding, b] of forms) {
          await tx`INSERT INTO asset_blobs (hash, encoding, bytes, size)
            VALUES (${hash}, ${encoding}, ${Buffer.from(b.buffer, b.byteOffset, b.byteLength)}, ${b.byteLength})
            ON CONFLICT DO NOTHING`;
        }
      });
    });
  }

  get(hash: string, encoding: BlobEncoding): Promise<Uint8Array | null> {
    return registryCall(async () => {
      const [row] = await this.#sql<{ bytes: Buffer }[]>`
        SELECT bytes FROM asset_blobs WHERE hash = ${hash} AND encoding = ${encoding}`;
      return row ? row.bytes : null;
    });
  }

  /** The pool is the registry's: PostgresStore.close() ends it. */
  close(): void {}
}
