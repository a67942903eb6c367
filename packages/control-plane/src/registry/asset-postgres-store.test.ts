import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { startPostgres, type TestPostgres } from "../../../../test/support/postgres.js";
import { PostgresAssetStore } from "./asset-postgres-store.js";
import { runAssetStoreSuite } from "./asset-store.case.js";
import { PostgresStore } from "./postgres-store.js";
import { SecretBox } from "./secret-box.js";

let pg: TestPostgres;
const stores: PostgresStore[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await pg?.close();
});

runAssetStoreSuite("PostgresAssetStore", async () => {
  const registry = await PostgresStore.open({ url: await pg.createDatabase(), box: new SecretBox(randomBytes(32)) });
  stores.push(registry);
  return new PostgresAssetStore(registry.sql);
});
