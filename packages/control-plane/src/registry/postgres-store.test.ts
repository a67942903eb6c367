import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../../../../test/support/postgres.js";
import { PostgresStore } from "./postgres-store.js";
import { SecretBox } from "./secret-box.js";
import { runStoreSuite, version } from "./store.case.js";

let pg: TestPostgres;
const key = new SecretBox(randomBytes(32));

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.close();
});

const open = (url: string, box = key) => PostgresStore.open({ url, box });

runStoreSuite(
  "PostgresStore",
  async () => open(await pg.createDatabase()),
  async () => {
    const url = await pg.createDatabase();
    return [await open(url), await open(url)];
  },
);

describe("PostgresStore on a real server", () => {
  it("applies its migrations once when several nodes start together", async () => {
    const url = await pg.createDatabase();
    const stores = await Promise.all(Array.from({ length: 6 }, () => open(url)));
    expect(await stores[0]?.schemaVersions()).toEqual([1, 2]);
    const sql = postgres(url, { max: 1 });
    expect(await sql`SELECT version FROM schema_migrations`).toHaveLength(2);
    await sql.end();
    await Promise.all(stores.map((s) => s.close()));
  });

  it("refuses a node with another key, with one clear line, and keeps the key out of the database", async () => {
    const url = await pg.createDatabase();
    const first = await open(url);
    await first.putVersionAndActivate("app", version(1), "t");
    await first.setSecret("app", "TOKEN", "s3cr3t");
    const other = new SecretBox(randomBytes(32));
    const err = await open(url, other).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "NANO_ERR_CONFIG" });
    expect((err as Error).message).toMatch(
      /secret key .* is not the key of the registry at postgres:\/\/.*1 sealed secret/,
    );
    expect((err as Error).message).not.toContain("\n");
    const sql = postgres(url, { max: 1 });
    const dump = JSON.stringify(await sql`SELECT * FROM secrets`) + JSON.stringify(await sql`SELECT * FROM key_check`);
    await sql.end();
    expect(dump).not.toContain("s3cr3t");
    const again = await open(url);
    expect(await again.getSecrets("app")).toEqual({ TOKEN: "s3cr3t" });
    await Promise.all([first.close(), again.close()]);
  });

  it("sends a NOTIFY with the new generation on every change", async () => {
    const url = await pg.createDatabase();
    const store = await open(url);
    const listener = postgres(url, { max: 1 });
    const seen: string[] = [];
    await listener.listen("nano_registry", (v) => seen.push(v));
    await store.putVersionAndActivate("app", version(1), "t");
    await store.setSecret("app", "K", "v");
    await store.deleteApp("app");
    const g = await store.generation();
    await expect.poll(() => seen.at(-1), { timeout: 5_000 }).toBe(String(g));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    await listener.end();
    await store.close();
  });

  it("answers NANO_ERR_REGISTRY_UNAVAILABLE while the server is away, and works again after", async () => {
    const url = await pg.createDatabase();
    const store = await PostgresStore.open({ url, box: key, connectTimeoutS: 1 });
    await store.putVersionAndActivate("app", version(1), "t");
    await pg.stop();
    try {
      await expect(store.putVersionAndActivate("app", version(2), "t")).rejects.toMatchObject({
        code: "NANO_ERR_REGISTRY_UNAVAILABLE",
        status: 503,
      });
      // However long the outage, each call answers soon: the client's reconnect backoff is capped.
      for (let i = 0; i < 10; i++) {
        const t0 = Date.now();
        await expect(store.listApps()).rejects.toMatchObject({ code: "NANO_ERR_REGISTRY_UNAVAILABLE" });
        expect(Date.now() - t0).toBeLessThan(3_000);
      }
    } finally {
      await pg.start();
    }
    const t0 = Date.now();
    expect(await store.putVersionAndActivate("app", version(2), "t")).toEqual({ version: 2, created: true });
    expect(Date.now() - t0).toBeLessThan(3_000);
    await store.close();
  });
});
