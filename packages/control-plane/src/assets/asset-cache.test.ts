/**
 * The blob cache over a real registry file: small files are read once and cached; a file over the
 * entry bound is streamed one stored piece per pull, and a range reads only its own bytes.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { PIECE_BYTES, SqliteAssetStore } from "../registry/asset-sqlite-store.js";
import type { BlobEncoding } from "../registry/asset-store.js";
import { SecretBox } from "../registry/secret-box.js";
import { SqliteStore } from "../registry/sqlite-store.js";
import { AssetCache, type BlobSource } from "./asset-cache.js";

const dir = mkdtempSync(join(tmpdir(), "nano-asset-cache-"));
new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key"))).close();
const store = new SqliteAssetStore(join(dir, "registry.db"));
afterAll(() => store.close());

/** The real store, with every read it is asked for written down. */
function recorded(): { source: BlobSource; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    source: {
      get: (hash: string, encoding: BlobEncoding) => {
        reads.push(`get ${hash.slice(0, 1)}`);
        return store.get(hash, encoding);
      },
      readRange: (hash: string, encoding: BlobEncoding, start: number, end: number) => {
        reads.push(`${start}-${end}`);
        return store.readRange(hash, encoding, start, end);
      },
    },
  };
}

async function all(body: Uint8Array | ReadableStream<Uint8Array> | null): Promise<Buffer> {
  if (body === null) throw new Error("no body");
  if (body instanceof Uint8Array) return Buffer.from(body);
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

const BIG = randomBytes(4 * PIECE_BYTES + 100);
const SMALL = randomBytes(1000);
await store.put("b".repeat(64), BIG, {});
await store.put("s".repeat(64), SMALL, {});

it("streams a file over the entry bound one stored piece per pull, never whole", async () => {
  const { source, reads } = recorded();
  // Entry bound: 256 KiB, under the big file's size.
  const cache = new AssetCache(source, 4 * PIECE_BYTES);
  const body = await cache.read("b".repeat(64), "identity", BIG.byteLength, null);
  expect(body).toBeInstanceOf(ReadableStream);
  expect(reads).toEqual([]); // nothing is read before the reader asks
  expect(await all(body)).toEqual(BIG);
  const p = PIECE_BYTES;
  expect(reads).toEqual([
    `0-${p - 1}`,
    `${p}-${2 * p - 1}`,
    `${2 * p}-${3 * p - 1}`,
    `${3 * p}-${4 * p - 1}`,
    `${4 * p}-${4 * p + 99}`,
  ]);
  expect(cache.bytes).toBe(0);
});

it("reads only a range's bytes of a large file", async () => {
  const { source, reads } = recorded();
  const cache = new AssetCache(source, 4 * PIECE_BYTES);
  const one = await cache.read("b".repeat(64), "identity", BIG.byteLength, { start: 0, end: 0 });
  expect(await all(one)).toEqual(BIG.subarray(0, 1));
  const across = { start: PIECE_BYTES - 2, end: PIECE_BYTES + 1 };
  expect(await all(await cache.read("b".repeat(64), "identity", BIG.byteLength, across))).toEqual(
    BIG.subarray(across.start, across.end + 1),
  );
  expect(reads).toEqual(["0-0", `${PIECE_BYTES - 2}-${PIECE_BYTES - 1}`, `${PIECE_BYTES}-${PIECE_BYTES + 1}`]);
});

it("reads a small file once and serves it (and its ranges) from memory after", async () => {
  const { source, reads } = recorded();
  const cache = new AssetCache(source, 4 * PIECE_BYTES);
  expect(await all(await cache.read("s".repeat(64), "identity", SMALL.byteLength, null))).toEqual(SMALL);
  expect(await all(await cache.read("s".repeat(64), "identity", SMALL.byteLength, { start: 10, end: 19 }))).toEqual(
    SMALL.subarray(10, 20),
  );
  expect(reads).toEqual(["get s"]);
  expect(cache.bytes).toBe(SMALL.byteLength);
});

it("a missing large blob fails its stream", async () => {
  const cache = new AssetCache(store, 4 * PIECE_BYTES);
  const body = await cache.read("m".repeat(64), "identity", BIG.byteLength, null);
  await expect(all(body)).rejects.toThrow(/missing from the store/);
});
