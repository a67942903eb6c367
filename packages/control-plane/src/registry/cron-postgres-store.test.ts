import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { startPostgres, type TestPostgres } from "../../../../test/support/postgres.js";
import { PostgresCronStore } from "./cron-postgres-store.js";
import { runCronStoreSuite } from "./cron-store.case.js";
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

runCronStoreSuite("PostgresCronStore", async (n) => {
  const url = await pg.createDatabase();
  const box = new SecretBox(randomBytes(32));
  // One registry connection pool per node, as each node has.
  const nodes = await Promise.all(Array.from({ length: n }, () => PostgresStore.open({ url, box })));
  stores.push(...nodes);
  return nodes.map((s) => new PostgresCronStore(s.sql));
});
