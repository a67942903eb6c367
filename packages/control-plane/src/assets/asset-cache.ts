/**
 * Blob reads through a bytes-bounded LRU (lru-cache): a runtime process keeps the hot files of every
 * app in memory up to `maxBytes`, and concurrent misses for one blob make one read. A blob larger
 * than a quarter of the cache is read each time rather than pushing everything else out.
 */
import { LRUCache } from "lru-cache";
import type { AssetStore, BlobEncoding } from "../registry/asset-store.js";
import type { ReadBlob } from "./asset-response.js";

export const DEFAULT_ASSET_CACHE_BYTES = 64 * 1024 * 1024;

export class AssetCache {
  readonly #cache: LRUCache<string, Uint8Array>;
  readonly read: ReadBlob;

  constructor(store: AssetStore, maxBytes = DEFAULT_ASSET_CACHE_BYTES) {
    this.#cache = new LRUCache<string, Uint8Array>({
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
      // An empty file still takes an entry.
      sizeCalculation: (b) => Math.max(1, b.byteLength),
      fetchMethod: async (key) => {
        const at = key.indexOf(":");
        return (await store.get(key.slice(0, at), key.slice(at + 1) as BlobEncoding)) ?? undefined;
      },
    });
    this.read = async (hash, encoding) => (await this.#cache.fetch(`${hash}:${encoding}`)) ?? null;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#cache.calculatedSize;
  }
}
