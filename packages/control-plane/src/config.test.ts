import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { maxLimits, resolveConfig } from "./config.js";

describe("resolveConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "nano-cfg-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ port: 7000, adminPort: 7001, host: "127.0.0.2", publicMetrics: true }));

  it("applies defaults", () => {
    const c = resolveConfig({ dataDir: mkdtempSync(join(tmpdir(), "nano-empty-")) }, {});
    expect(c).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      adminPort: 8788,
      adminHost: "127.0.0.1",
      token: null,
      publicMetrics: false,
    });
  });

  it("flags beat environment, which beats the config file, which beats defaults", () => {
    const env = { NANO_PORT: "7100", NANO_ADMIN_PORT: "7101", NANO_TOKEN: "from-env" };
    const c = resolveConfig({ config: file, port: 7200 }, env);
    expect(c).toMatchObject({ port: 7200, adminPort: 7101, host: "127.0.0.2", publicMetrics: true, token: "from-env" });
  });

  it("reads <data-dir>/config.json when no file is named", () => {
    expect(resolveConfig({ dataDir: dir }, {}).port).toBe(7000);
  });

  it("reads allowPrivateFetch from the flag, NANO_ALLOW_PRIVATE_FETCH or the config file; off by default", () => {
    const empty = mkdtempSync(join(tmpdir(), "nano-empty-"));
    expect(resolveConfig({ dataDir: empty }, {}).allowPrivateFetch).toBe(false);
    expect(resolveConfig({ dataDir: empty, allowPrivateFetch: true }, {}).allowPrivateFetch).toBe(true);
    expect(resolveConfig({ dataDir: empty }, { NANO_ALLOW_PRIVATE_FETCH: "1" }).allowPrivateFetch).toBe(true);
    const withKey = join(dir, "private.json");
    writeFileSync(withKey, JSON.stringify({ allowPrivateFetch: true }));
    expect(resolveConfig({ config: withKey }, {}).allowPrivateFetch).toBe(true);
    expect(resolveConfig({ config: withKey }, { NANO_ALLOW_PRIVATE_FETCH: "0" }).allowPrivateFetch).toBe(false);
    expect(() => resolveConfig({ dataDir: empty }, { NANO_ALLOW_PRIVATE_FETCH: "yes" })).toThrow(
      /NANO_ALLOW_PRIVATE_FETCH: allowPrivateFetch must be true or false/,
    );
  });

  it("reads the serving tier's settings (processes, quarantine, throttle) from every source, in range", () => {
    const empty = mkdtempSync(join(tmpdir(), "nano-empty-"));
    expect(resolveConfig({ dataDir: empty }, {})).toMatchObject({
      processes: null,
      quarantineCrashes: 3,
      quarantineWindowS: 60,
      throttleKills: 3,
      appMaxInflight: 128,
    });
    expect(resolveConfig({ dataDir: empty, processes: 3 }, { NANO_PROCESSES: "5" }).processes).toBe(3);
    expect(resolveConfig({ dataDir: empty }, { NANO_PROCESSES: "5", NANO_THROTTLE_CPU_MS_PER_S: "20" })).toMatchObject({
      processes: 5,
      throttleCpuMsPerS: 20,
    });
    const withKeys = join(dir, "tier.json");
    writeFileSync(withKeys, JSON.stringify({ quarantineCrashes: 2, drainTimeoutS: 0 }));
    expect(resolveConfig({ config: withKeys }, {})).toMatchObject({ quarantineCrashes: 2, drainTimeoutS: 0 });
    expect(() => resolveConfig({ dataDir: empty }, { NANO_PROCESSES: "0" })).toThrow(
      /NANO_PROCESSES: processes must be an integer from 1 to 64/,
    );
    expect(() => resolveConfig({ dataDir: empty }, { NANO_QUARANTINE_CRASHES: "" })).not.toThrow();
  });

  it("reads the maximums for an app's limits from every source; by default the manifest's own bounds", () => {
    const empty = mkdtempSync(join(tmpdir(), "nano-empty-"));
    expect(resolveConfig({ dataDir: empty }, {})).toMatchObject({
      maxCpuMs: 300_000,
      maxMemoryMb: 4096,
      maxWallMs: 900_000,
      maxSubrequests: 10_000,
    });
    expect(maxLimits(resolveConfig({ dataDir: empty }, {}))).toEqual({
      cpuMs: 300_000,
      memoryMb: 4096,
      wallMs: 900_000,
      subrequests: 10_000,
    });
    const env = { NANO_MAX_CPU_MS: "1000", NANO_MAX_MEMORY_MB: "256", NANO_MAX_SUBREQUESTS: "0" };
    expect(resolveConfig({ dataDir: empty, maxCpuMs: 500 }, env)).toMatchObject({
      maxCpuMs: 500,
      maxMemoryMb: 256,
      maxWallMs: 900_000,
      maxSubrequests: 0,
    });
    const withKeys = join(dir, "max.json");
    writeFileSync(withKeys, JSON.stringify({ maxWallMs: 5000, maxCpuMs: 20 }));
    expect(resolveConfig({ config: withKeys }, { NANO_MAX_CPU_MS: "30" })).toMatchObject({
      maxWallMs: 5000,
      maxCpuMs: 30,
    });
    expect(() => resolveConfig({ dataDir: empty }, { NANO_MAX_CPU_MS: "300001" })).toThrow(
      /NANO_MAX_CPU_MS: maxCpuMs must be an integer from 1 to 300000/,
    );
    expect(() => resolveConfig({ dataDir: empty, maxMemoryMb: 4 }, {})).toThrow(
      /flag: maxMemoryMb must be an integer from 8 to 4096/,
    );
    expect(() => resolveConfig({ dataDir: empty }, { NANO_MAX_WALL_MS: "1.5" })).toThrow(
      /maxWallMs must be an integer/,
    );
  });

  it("names the source of a bad value", () => {
    expect(() => resolveConfig({ config: file }, { NANO_PORT: "http" })).toThrow(/NANO_PORT: port must be an integer/);
    const badFile = join(dir, "bad.json");
    writeFileSync(badFile, JSON.stringify({ prot: 1 }));
    expect(() => resolveConfig({ config: badFile }, {})).toThrow(/unknown field "prot"/);
  });
});

describe("the shared registry settings", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nano-cfg-pg-"));
  const KEY = "ab".repeat(32);

  it("takes a database URL with a key from the environment", () => {
    const c = resolveConfig({ dataDir }, { NANO_DATABASE_URL: "postgres://u:p@db:5432/nano", NANO_SECRET_KEY: KEY });
    expect(c).toMatchObject({ databaseUrl: "postgres://u:p@db:5432/nano", secretKey: KEY, secretKeyFile: null });
    expect(resolveConfig({ dataDir }, {})).toMatchObject({ databaseUrl: null, secretKey: null, secretKeyFile: null });
  });

  it("refuses a database URL without the key, a malformed key (never echoing it), both key forms, a non-postgres URL", () => {
    expect(() => resolveConfig({ dataDir }, { NANO_DATABASE_URL: "postgres://db/nano" })).toThrow(
      /needs the secret-sealing key, the same on every node: set NANO_SECRET_KEY/,
    );
    const bad = "zz".repeat(32);
    let message = "";
    try {
      resolveConfig({ dataDir }, { NANO_SECRET_KEY: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/NANO_SECRET_KEY: secretKey must be 64 hex characters/);
    expect(message).not.toContain(bad);
    expect(() => resolveConfig({ dataDir, secretKeyFile: "/k" }, { NANO_SECRET_KEY: KEY })).toThrow(/not both/);
    expect(() => resolveConfig({ dataDir, databaseUrl: "mysql://db" }, { NANO_SECRET_KEY: KEY })).toThrow(
      /postgres:\/\/ or postgresql:\/\/ URL/,
    );
  });
});
