/**
 * The blobs a node's mirror needs before it may switch to a snapshot (PostgreSQL mode): every blob
 * the snapshot's versions name in their asset indexes that the local file lacks is copied from
 * PostgreSQL into the local `asset_blobs`, all its forms in one local transaction, so a runtime
 * process never serves a version whose files are not local. Bounded: a few hashes and at most
 * BATCH_BYTES per query (a single larger blob comes alone), each query with a timeout. A failed
 * query throws (the replicator retries the whole sync later; blobs copied so far stay). Blobs no
 * version names any more are not deleted locally, as on one node.
 */
import type postgres from "postgres";
import { ASSET_HASH } from "../assets/asset-index.js";
import type { SqliteAssetStore } from "./asset-sqlite-store.js";
import type { BlobEncoding } from "./asset-store.js";
import { withTimeout } from "./pg-timeout.js";

/** Hashes per query: a few at a time. */
const BATCH_HASHES = 16;
/** Bytes (all forms) per query; one blob above it is fetched alone (at most 25 MiB and its compressed forms). */
const BATCH_BYTES = 8 * 1024 * 1024;
/** Hashes per size lookup (no bytes in it). */
const LOOKUP_CHUNK = 1_000;
const QUERY_TIMEOUT_MS = 60_000;

/** The blob hashes a stored manifest's asset index names (none for a version without assets). */
export function manifestAssetHashes(manifest: string): string[] {
  let files: unknown;
  try {
    files = (JSON.parse(manifest) as { assets?: { files?: unknown } } | null)?.assets?.files;
  } catch {
    return [];
  }
  if (typeof files !== "object" || files === null) return [];
  const out: string[] = [];
  for (const f of Object.values(files)) {
    const hash = (f as { hash?: unknown } | null)?.hash;
    if (typeof hash === "string" && ASSET_HASH.test(hash)) out.push(hash);
  }
  return out;
}

export interface BlobCopyResult {
  /** Blobs copied into the local file now. */
  copied: number;
  bytes: number;
  /** Named by a version but in neither store (nothing a retry can fix; such a file's requests fail). */
  absent: string[];
}

export async function copyMissingBlobs(
  sql: postgres.Sql,
  local: SqliteAssetStore,
  hashes: readonly string[],
  onProgress: () => void = () => {},
): Promise<BlobCopyResult> {
  const result: BlobCopyResult = { copied: 0, bytes: 0, absent: [] };
  const missing = await local.missing(hashes);
  if (missing.length === 0) return result;
  // First the sizes (no bytes), to cut the copy into bounded batches.
  const sizes = new Map<string, number>();
  for (let i = 0; i < missing.length; i += LOOKUP_CHUNK) {
    const rows = await withTimeout(
      sql<{ hash: string; bytes: string }[]>`SELECT hash, SUM(size) AS bytes FROM asset_blobs
        WHERE hash = ANY(${sql.array(missing.slice(i, i + LOOKUP_CHUNK))}::text[]) GROUP BY hash`,
      QUERY_TIMEOUT_MS,
    );
    for (const r of rows) sizes.set(r.hash, Number(r.bytes));
    onProgress();
  }
  result.absent = missing.filter((h) => !sizes.has(h));
  let batch: string[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = await withTimeout(
      sql<{ hash: string; encoding: BlobEncoding; bytes: Buffer }[]>`SELECT hash, encoding, bytes FROM asset_blobs
        WHERE hash = ANY(${sql.array(batch)}::text[])`,
      QUERY_TIMEOUT_MS,
    );
    const forms = new Map<string, [BlobEncoding, Uint8Array][]>();
    for (const r of rows) forms.set(r.hash, [...(forms.get(r.hash) ?? []), [r.encoding, r.bytes]]);
    for (const [hash, f] of forms) {
      if (!f.some(([e]) => e === "identity")) continue;
      local.putForms(hash, f);
      result.copied++;
      for (const [, b] of f) result.bytes += b.byteLength;
    }
    batch = [];
    batchBytes = 0;
    onProgress();
  };
  for (const [hash, bytes] of sizes) {
    if (batch.length > 0 && (batch.length >= BATCH_HASHES || batchBytes + bytes > BATCH_BYTES)) await flush();
    batch.push(hash);
    batchBytes += bytes;
  }
  await flush();
  return result;
}
