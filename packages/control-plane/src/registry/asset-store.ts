/**
 * The content-addressed files of static assets: SHA-256 (hex) → bytes, plus the precompressed forms
 * made at upload. Shared by every app and version (a file two versions share is stored once); which
 * path names which blob is the version's asset index (in its manifest, see assets/asset-index.ts).
 * Asynchronous, so a PostgreSQL store fits the same interface; asset-store.case.ts is the shared suite.
 */
import type { AssetEncoding } from "../assets/asset-index.js";

export type BlobEncoding = "identity" | AssetEncoding;

export interface AssetBlobInfo {
  /** Bytes of each stored form; identity is always there. */
  sizes: Partial<Record<BlobEncoding, number>> & { identity: number };
}

export interface AssetStore {
  /** The hashes among `hashes` the store does not hold, in their order. */
  missing(hashes: readonly string[]): Promise<string[]>;
  /** What the store holds of each hash it has (absent ones are left out). */
  info(hashes: readonly string[]): Promise<Map<string, AssetBlobInfo>>;
  /**
   * Stores a blob and its compressed forms; storing a hash again changes nothing. The caller has
   * checked that `hash` is the SHA-256 of `bytes`.
   */
  put(hash: string, bytes: Uint8Array, compressed: Partial<Record<AssetEncoding, Uint8Array>>): Promise<void>;
  /** One form of a blob, or null when the store has no such form. */
  get(hash: string, encoding: BlobEncoding): Promise<Uint8Array | null>;
  close(): void;
}

/** What `info` answers, from one row per stored form: hashes without their identity form are left out. */
export function blobInfo(
  rows: Iterable<{ hash: string; encoding: BlobEncoding; size: number }>,
): Map<string, AssetBlobInfo> {
  const sizes = new Map<string, Partial<Record<BlobEncoding, number>>>();
  for (const r of rows) {
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
