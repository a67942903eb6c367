import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteCronStore } from "./cron-sqlite-store.js";
import { runCronStoreSuite } from "./cron-store.case.js";
import { SecretBox } from "./secret-box.js";
import { SqliteStore } from "./sqlite-store.js";

function registry(): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-cron-"));
  new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key"))).close();
  return join(dir, "registry.db");
}

runCronStoreSuite("SqliteCronStore", async (n) => {
  const path = registry();
  return Array.from({ length: n }, () => new SqliteCronStore(path));
});
