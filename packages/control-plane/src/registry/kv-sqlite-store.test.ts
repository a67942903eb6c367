import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteKvStore } from "./kv-sqlite-store.js";
import { runKvStoreSuite } from "./kv-store.case.js";
import { SecretBox } from "./secret-box.js";
import { SqliteStore } from "./sqlite-store.js";

runKvStoreSuite("SqliteKvStore", (clock, maxNamespaceBytes) => {
  const dir = mkdtempSync(join(tmpdir(), "nano-kv-"));
  // The registry creates and migrates the file; KV opens it as the runtime threads do.
  new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key"))).close();
  return new SqliteKvStore(join(dir, "registry.db"), {
    now: () => clock.now,
    ...(maxNamespaceBytes ? { maxNamespaceBytes } : {}),
  });
});
