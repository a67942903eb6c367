import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { asyncStore } from "./async-store.js";
import { SecretBox } from "./secret-box.js";
import { SqliteStore } from "./sqlite-store.js";
import { runStoreSuite, version } from "./store.case.js";

const fresh = () => mkdtempSync(join(tmpdir(), "nano-reg-"));
const openIn = (dir: string) => new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key")));
/** As `nano start` opens it: the key file is made only while the registry holds no sealed secrets. */
const openAsServer = (dir: string) =>
  new SqliteStore(join(dir, "registry.db"), (o) => SecretBox.fromFile(join(dir, "secret.key"), o));
const here = fileURLToPath(new URL(".", import.meta.url));
const DIST = join(here, "../../dist/registry");

runStoreSuite(
  "SqliteStore",
  async () => asyncStore(openIn(fresh())),
  async () => {
    const dir = fresh();
    return [asyncStore(openIn(dir)), asyncStore(openIn(dir))];
  },
);

describe("SqliteStore on disk", () => {
  it("applies migrations once and reopens with everything in place", () => {
    const dir = fresh();
    const a = openIn(dir);
    a.putVersion("app", version(1));
    a.activate("app", 1, "t");
    expect(a.schemaVersions()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    a.close();
    const b = openIn(dir);
    expect(b.schemaVersions()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(b.getApp("app")?.activeVersion).toBe(1);
    b.close();
  });

  it("opens read-only for a serving process: sees the writer's changes, refuses to write", () => {
    const dir = fresh();
    const writer = openIn(dir);
    writer.putVersion("app", version(1));
    writer.activate("app", 1, "t");
    writer.setSecret("app", "K", "v");
    const reader = new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key")), {
      readonly: true,
    });
    expect(reader.getApp("app")?.activeVersion).toBe(1);
    expect(reader.getSecrets("app")).toEqual({ K: "v" });
    const g = reader.generation();
    writer.quarantine("app", { untilMs: 1, level: 1, reason: "r" });
    expect(reader.generation()).toBeGreaterThan(g);
    expect(() => reader.putVersion("other", version(2))).toThrow(/readonly/i);
    reader.close();
    writer.close();
  });

  it("keeps secrets encrypted at rest: the plaintext is in no file of the data directory", () => {
    const dir = fresh();
    const s = openIn(dir);
    s.putVersion("app", version(1));
    s.setSecret("app", "DB_PASSWORD", "correct-horse-battery-staple");
    expect(s.getSecrets("app")).toEqual({ DB_PASSWORD: "correct-horse-battery-staple" });
    for (const f of readdirSync(dir)) {
      expect(readFileSync(join(dir, f)).includes("correct-horse-battery-staple")).toBe(false);
    }
    s.close();
  });

  it("a process killed between storing a version and activating it leaves the old version active", () => {
    const dir = fresh();
    const s = openIn(dir);
    s.putVersion("app", version(1));
    s.activate("app", 1, "t");
    s.close();
    // A real crash: a child process stores v2, then SIGKILLs itself before activating.
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(join(DIST, "sqlite-store.js"))});
      const { SecretBox } = await import(${JSON.stringify(join(DIST, "secret-box.js"))});
      const s = new SqliteStore(${JSON.stringify(join(dir, "registry.db"))}, SecretBox.fromFile(${JSON.stringify(join(dir, "secret.key"))}));
      s.putVersion("app", { hash: "h2", code: "v2", manifest: {}, cachedData: null });
      process.kill(process.pid, "SIGKILL");
      s.activate("app", 2, "never");
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.signal).toBe("SIGKILL");
    const after = openIn(dir);
    expect(after.getApp("app")?.activeVersion).toBe(1);
    expect(after.getVersion("app", 2)?.code).toBe("v2");
    after.close();
  });

  it("a process killed at any moment of first deploys (putVersionAndActivate) never leaves an app without its active version", () => {
    const dir = fresh();
    openIn(dir).close();
    const child = (body: string) => {
      const script = `
        const { SqliteStore } = await import(${JSON.stringify(join(DIST, "sqlite-store.js"))});
        const { SecretBox } = await import(${JSON.stringify(join(DIST, "secret-box.js"))});
        const { Worker } = await import("node:worker_threads");
        const s = new SqliteStore(${JSON.stringify(join(dir, "registry.db"))}, SecretBox.fromFile(${JSON.stringify(join(dir, "secret.key"))}));
        const deploy = (app) => s.putVersionAndActivate(app, { hash: "h1", code: "v1", manifest: {}, cachedData: null }, "storm");
        ${body}
      `;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        encoding: "utf8",
        timeout: 20_000,
        killSignal: "SIGKILL",
      });
      expect(r.signal, r.stderr).toBe("SIGKILL");
    };
    // Right after one returns: that deploy is whole.
    child(`deploy("just-after"); process.kill(process.pid, "SIGKILL");`);
    // At a random moment of a stream of first deploys: a thread of the process kills it while the main
    // thread is inside a deploy's transaction (or between two).
    for (let round = 0; round < 12; round++) {
      child(`
        new Worker('setTimeout(() => process.kill(process.pid, "SIGKILL"), ' + ${Math.floor(Math.random() * 40)} + ')', { eval: true });
        for (let i = 0; ; i++) deploy("r${round}-" + i);
      `);
    }
    const after = openIn(dir);
    const apps = after.listApps();
    expect(apps.length).toBeGreaterThan(12);
    expect(apps.find((a) => a.name === "just-after")?.activeVersion).toBe(1);
    for (const a of apps) {
      expect({ app: a.name, active: a.activeVersion }).toEqual({ app: a.name, active: 1 });
      expect(after.listVersions(a.name)).toMatchObject([{ version: 1, active: true }]);
      expect(after.activations(a.name)).toMatchObject([{ version: 1, by: "storm" }]);
    }
    after.close();
  });
});

describe("the secret key check", () => {
  const withSecret = () => {
    const dir = fresh();
    const s = openAsServer(dir);
    s.putVersionAndActivate("app", version(1), "t");
    s.setSecret("app", "TOKEN", "s3cr3t");
    s.close();
    return { dir, key: join(dir, "secret.key"), db: join(dir, "registry.db") };
  };
  const refusal = (dir: string, ...parts: (string | RegExp)[]) => {
    let err: unknown = null;
    try {
      openAsServer(dir).close();
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "NANO_ERR_CONFIG" });
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    for (const p of parts) expect(message).toMatch(p);
    return message;
  };

  it("stores a MAC of a known string under the key, never the key", () => {
    const { dir, key, db } = withSecret();
    const bytes = readFileSync(key);
    const raw = new Database(db, { readonly: true });
    const row = raw.prepare("SELECT mac FROM key_check").get() as { mac: string };
    raw.close();
    expect(row.mac).toBe(SecretBox.fromFile(key).keyCheck());
    for (const f of readdirSync(dir).filter((f) => f !== "secret.key")) {
      const content = readFileSync(join(dir, f));
      expect(content.includes(bytes)).toBe(false);
      expect(content.includes(bytes.toString("hex"))).toBe(false);
    }
    const again = openAsServer(dir);
    expect(again.getSecrets("app")).toEqual({ TOKEN: "s3cr3t" });
    again.close();
  });

  it("refuses a replaced key while secrets are sealed, naming the file and what to do", () => {
    const { dir, key, db } = withSecret();
    const original = readFileSync(key);
    writeFileSync(key, randomBytes(32));
    refusal(dir, `the secret key file ${key} is not the key`, "1 secret", /restore the original key file/, db);
    // Nothing was changed: the original key opens it all again.
    writeFileSync(key, original);
    const s = openAsServer(dir);
    expect(s.getSecrets("app")).toEqual({ TOKEN: "s3cr3t" });
    s.close();
  });

  it("refuses a missing key file while secrets are sealed, and makes no new key", () => {
    const { dir, key } = withSecret();
    unlinkSync(key);
    refusal(dir, `the secret key file ${key} is missing`, /restore the original key file/);
    expect(existsSync(key)).toBe(false);
    refusal(dir, `the secret key file ${key} is missing`);
  });

  it("refuses an empty or short key file, naming it", () => {
    const { dir, key } = withSecret();
    writeFileSync(key, "");
    refusal(dir, `the secret key file ${key} holds 0 bytes, not 32`);
    writeFileSync(key, randomBytes(31));
    refusal(dir, `the secret key file ${key} holds 31 bytes, not 32`);
  });

  it("a box made over a missing file (not as the server loads it) is refused too", () => {
    const { dir, key } = withSecret();
    unlinkSync(key);
    expect(() => openIn(dir)).toThrow(
      expect.objectContaining({ code: "NANO_ERR_CONFIG", message: expect.stringContaining(key) }),
    );
  });

  it("takes a new key when no secret is sealed: after the secrets are removed, or before any", () => {
    const { dir, key, db } = withSecret();
    writeFileSync(key, randomBytes(32));
    refusal(dir, "is not the key");
    const raw = new Database(db);
    raw.exec("DELETE FROM secrets");
    raw.close();
    const s = openAsServer(dir);
    s.setSecret("app", "TOKEN", "again");
    s.close();
    unlinkSync(key);
    refusal(dir, "is missing");
    const empty = fresh();
    const t = openAsServer(empty);
    t.close();
    unlinkSync(join(empty, "secret.key"));
    openAsServer(empty).close();
    expect(readFileSync(join(empty, "secret.key")).byteLength).toBe(32);
  });

  it("checks a registry from before the key check by its secrets, then records the check", () => {
    const { dir, key, db } = withSecret();
    const forget = () => {
      const raw = new Database(db);
      raw.exec("DELETE FROM key_check");
      raw.close();
    };
    forget();
    const original = readFileSync(key);
    writeFileSync(key, randomBytes(32));
    refusal(dir, "is not the key");
    writeFileSync(key, original);
    openAsServer(dir).close();
    const raw = new Database(db, { readonly: true });
    expect(raw.prepare("SELECT COUNT(*) AS n FROM key_check").get()).toEqual({ n: 1 });
    raw.close();
  });

  it("a serving process only reads the key: a missing file is an error, never a new key", () => {
    const { dir, key, db } = withSecret();
    unlinkSync(key);
    expect(() => new SqliteStore(db, (o) => SecretBox.fromFile(key, o), { readonly: true })).toThrow(
      expect.objectContaining({ code: "NANO_ERR_CONFIG", message: `the secret key file ${key} is missing` }),
    );
    expect(existsSync(key)).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });
});
