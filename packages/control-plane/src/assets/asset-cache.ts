/**
 * Blob reads through a bytes-bounded LRU (lru-cache): a runtime process keeps the hot files of every
 * app in memory up to `maxBytes`, and concurrent misses for one blob make one read. A blob larger
 * than a quarter of the cache is not cached: it is streamed, one stored piece (64 KiB) per pull and
 * only the pieces of the range asked for, so it is never held whole nor read whole on the thread.
 */
import { LRUCache } from "lru-cache";
import { PIECE_BYTES } from "../registry/asset-sqlite-store.js";
import type { BlobEncoding } from "../registry/asset-store.js";
import type { AssetBody, ReadBody } from "./asset-response.js";

export const DEFAULT_ASSET_CACHE_BYTES = 64 * 1024 * 1024;

/** What the cache reads from (SqliteAssetStore). */
export interface BlobSource {
  get(hash: string, encoding: BlobEncoding): Promise<Uint8Array | null>;
  /** Bytes start..end (inclusive), reading only what holds them; null when the form is missing. */
  readRange(hash: string, encoding: BlobEncoding, start: number, end: number): Uint8Array | null;
}

export class AssetCache {
  readonly #cache: LRUCache<string, Uint8Array>;
  readonly #maxEntry: number;
  readonly read: ReadBody;

  constructor(store: BlobSource, maxBytes = DEFAULT_ASSET_CACHE_BYTES) {
    this.#maxEntry = Math.max(1, Math.floor(maxBytes / 4));
    this.#cache = new LRUCache<string, Uint8Array>({
      maxSize: maxBytes,
      maxEntrySize: this.#maxEntry,
      // An empty file still takes an entry.
      sizeCalculation: (b) => Math.max(1, b.byteLength),
      fetchMethod: async (key) => {
        const at = key.indexOf(":");
        return (await store.get(key.slice(0, at), key.slice(at + 1) as BlobEncoding)) ?? undefined;
      },
    });
    this.read = async (hash, encoding, size, range) => {
      if (size > this.#maxEntry) return pieces(store, hash, encoding, range ?? { start: 0, end: size - 1 });
      const whole = (await this.#cache.fetch(`${hash}:${encoding}`)) ?? null;
      return whole && range ? whole.subarray(range.start, range.end + 1) : whole;
    };
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#cache.calculatedSize;
  }
}

/** Bytes start..end of a blob, read one piece per pull (nothing ahead of the reader). */
function pieces(
  store: BlobSource,
  hash: string,
  encoding: BlobEncoding,
  range: { start: number; end: number },
): AssetBody {
  let at = range.start;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at > range.end) return controller.close();
        // Up to the end of the piece `at` is in, so each pull reads one stored piece.
        const end = Math.min(range.end, (Math.floor(at / PIECE_BYTES) + 1) * PIECE_BYTES - 1);
        const bytes = store.readRange(hash, encoding, at, end);
        if (bytes === null || bytes.byteLength !== end - at + 1) {
          return controller.error(new Error(`asset blob ${hash} (${encoding}) is missing from the store`));
        }
        controller.enqueue(bytes);
        at = end + 1;
      },
    },
    { highWaterMark: 0 },
  );
}
