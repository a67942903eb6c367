import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";
import { SqliteStore } from "./sqlite-store.js";
import { runStoreSuite, version } from "./store.case.js";

const fresh = () => mkdtempSync(join(tmpdir(), "nano-reg-"));
const openIn = (dir: string) => new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key")));

runStoreSuite("SqliteStore", () => openIn(fresh()));

describe("SqliteStore on disk", () => {
  it("applies migrations once and reopens with everything in place", () => {
    const dir = fresh();
    const a = openIn(dir);
    a.putVersion("app", version(1));
    a.activate("app", 1, "t");
    expect(a.schemaVersions()).toEqual([1, 2]);
    a.close();
    const b = openIn(dir);
    expect(b.schemaVersions()).toEqual([1, 2]);
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
    const here = fileURLToPath(new URL(".", import.meta.url));
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(join(here, "../../dist/registry/sqlite-store.js"))});
      const { SecretBox } = await import(${JSON.stringify(join(here, "../../dist/registry/secret-box.js"))});
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
});
