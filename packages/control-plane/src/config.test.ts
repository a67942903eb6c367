import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";

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

  it("names the source of a bad value", () => {
    expect(() => resolveConfig({ config: file }, { NANO_PORT: "http" })).toThrow(/NANO_PORT: port must be an integer/);
    const badFile = join(dir, "bad.json");
    writeFileSync(badFile, JSON.stringify({ prot: 1 }));
    expect(() => resolveConfig({ config: badFile }, {})).toThrow(/unknown field "prot"/);
  });
});
