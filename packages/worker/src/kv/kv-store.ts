/**
 * Workers KV as storage: the interface the isolate host's KV bridge calls (one store per worker thread)
 * and the admin API uses. It is synchronous, as better-sqlite3 is: the bridge answers inside the
 * isolate's entry. The SQLite store lives in the control plane (registry/kv-sqlite-store.ts), in the
 * registry's own database; a PostgreSQL store would implement the same interface behind an
 * asynchronous bridge (a `kvStart` host call answered by a `kvDone` entry, as fetch does).
 */

/** Cloudflare's documented limits (developers.cloudflare.com/kv/platform/limits/). */
export const KV_LIMITS = {
  /** Bytes of a key (UTF-8). */
  keyBytes: 512,
  /** Bytes of a value. */
  valueBytes: 25 * 1024 * 1024,
  /** Bytes of a value's metadata, serialized as JSON. */
  metadataBytes: 1024,
  /** The shortest expiration: seconds ahead of now. */
  minTtlS: 60,
  /** Keys one list() returns at most (and by default). */
  listLimit: 1000,
  /** KV operations per invocation, by default (`limits.kvOperations`). */
  operations: 1000,
  /** Bytes one namespace may hold (keys, values and metadata): a tenant cannot fill the disk. */
  namespaceBytes: 1024 * 1024 * 1024,
} as const;

export interface KvValue {
  value: Uint8Array;
  /** The metadata as JSON text, or null. */
  metadata: string | null;
  /** Epoch seconds, or null: no expiry. */
  expiration: number | null;
}

export interface KvListedKey {
  name: string;
  expiration: number | null;
  metadata: string | null;
}

export interface KvListPage {
  keys: KvListedKey[];
  /** Where the next page starts; null when this page is the last. */
  cursor: string | null;
}

export interface KvStore {
  /** The live value of `key` (an expired one is absent at once, whenever it is purged). */
  get(namespace: string, key: string): KvValue | null;
  /**
   * Stores durably (the write is committed and synced when this returns). Throws a RangeError when the
   * namespace would hold more than its quota.
   */
  put(namespace: string, key: string, value: Uint8Array, metadata: string | null, expiration: number | null): void;
  delete(namespace: string, key: string): void;
  /** Live keys in byte order of their UTF-8, from `cursor` (a previous page's). */
  list(namespace: string, opts: { prefix: string; limit: number; cursor: string | null }): KvListPage;
  close(): void;
}
