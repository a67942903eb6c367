import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { SqliteAssetStore } from "./asset-sqlite-store.js";
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
