import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect, it } from "vitest";
import { PIECE_BYTES, SqliteAssetStore } from "./asset-sqlite-store.js";
import { runAssetStoreSuite } from "./asset-store.case.js";
import { SecretBox } from "./secret-box.js";
import { SqliteStore } from "./sqlite-store.js";

function registryFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-assets-"));
  // The registry creates and migrates the file; the asset store opens it as the supervisor does.
  new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key"))).close();
  return join(dir, "registry.db");
}

runAssetStoreSuite("SqliteAssetStore", () => new SqliteAssetStore(registryFile()));

it("a read-only store (a runtime process's) reads what the writer stored and cannot write", async () => {
  const path = registryFile();
  const writer = new SqliteAssetStore(path);
  const reader = new SqliteAssetStore(path, { readonly: true });
  const hash = "a".repeat(64);
  await writer.put(hash, new TextEncoder().encode("hi"), {});
  expect(new TextDecoder().decode((await reader.get(hash, "identity")) ?? undefined)).toBe("hi");
  await expect(reader.put("b".repeat(64), new Uint8Array(1), {})).rejects.toThrow(/readonly/);
  writer.close();
  reader.close();
});

it("stores a large form as 64 KiB pieces, and a range reads only the pieces that hold it", async () => {
  const path = registryFile();
  const store = new SqliteAssetStore(path);
  const hash = "c".repeat(64);
  const big = randomBytes(10 * PIECE_BYTES + 5);
  await store.put(hash, big, {});
  expect(Buffer.from((await store.get(hash, "identity")) ?? [])).toEqual(big);
  expect((await store.info([hash])).get(hash)).toEqual({ sizes: { identity: big.byteLength } });
  // Across a piece boundary, within one piece, the last bytes.
  for (const [start, end] of [
    [PIECE_BYTES - 3, PIECE_BYTES + 2],
    [5, 5],
    [10 * PIECE_BYTES, 10 * PIECE_BYTES + 4],
  ] as const) {
    expect(Buffer.from(store.readRange(hash, "identity", start, end) ?? [])).toEqual(big.subarray(start, end + 1));
  }
  // With every piece but the 4th gone, a range inside the 4th still reads: nothing else was needed.
  const db = new Database(path);
  expect(db.prepare("SELECT count(*) AS n FROM asset_blob_pieces WHERE hash = ?").get(hash)).toEqual({ n: 11 });
  db.prepare("DELETE FROM asset_blob_pieces WHERE hash = ? AND seq != 3").run(hash);
  db.close();
  const inFourth = [3 * PIECE_BYTES + 10, 3 * PIECE_BYTES + 20] as const;
  expect(Buffer.from(store.readRange(hash, "identity", ...inFourth) ?? [])).toEqual(
    big.subarray(inFourth[0], inFourth[1] + 1),
  );
  expect(store.readRange("d".repeat(64), "identity", 0, 1)).toBeNull();
  store.close();
});

it("migration 7 splits a large blob stored whole before it", async () => {
  const path = registryFile();
  const hash = "e".repeat(64);
  const big = randomBytes(3 * PIECE_BYTES + 1);
  const db = new Database(path);
  // The file as migration 6 left it, with a large blob stored whole.
  db.exec("DROP TABLE asset_blob_pieces; DELETE FROM schema_migrations WHERE version = 7");
  db.prepare("INSERT INTO asset_blobs (hash, encoding, bytes, size) VALUES (?, 'identity', ?, ?)").run(
    hash,
    big,
    big.byteLength,
  );
  db.close();
  new SqliteStore(path, SecretBox.fromFile(join(path, "..", "secret.key"))).close();
  const check = new Database(path);
  expect(check.prepare("SELECT count(*) AS n FROM asset_blob_pieces WHERE hash = ?").get(hash)).toEqual({ n: 4 });
  expect(check.prepare("SELECT length(bytes) AS n FROM asset_blobs WHERE hash = ?").get(hash)).toEqual({ n: 0 });
  check.close();
  const store = new SqliteAssetStore(path, { readonly: true });
  expect(Buffer.from((await store.get(hash, "identity")) ?? [])).toEqual(big);
  expect(Buffer.from(store.readRange(hash, "identity", 3 * PIECE_BYTES, 3 * PIECE_BYTES) ?? [])).toEqual(
    big.subarray(3 * PIECE_BYTES),
  );
  store.close();
});
