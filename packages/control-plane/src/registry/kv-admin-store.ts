/** What the supervisor needs of KV beyond the apps' operations: sizes (the CLI, metrics) and purging. */
import type { KvStore } from "@nano/worker";

/** A namespace's live keys and bytes (keys, values and metadata). */
export interface KvNamespaceStats {
  name: string;
  keys: number;
  bytes: number;
}

export interface KvAdminStore extends KvStore {
  /** Namespaces that hold live keys, with their sizes. */
  namespaces(): KvNamespaceStats[];
  /** Bytes each namespace holds, expired entries included until purged: cheap enough for every scrape. */
  usage(): { name: string; bytes: number }[];
  /** Deletes expired entries (already invisible); returns how many. */
  purgeExpired(): number;
}
