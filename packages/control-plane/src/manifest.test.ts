import { describe, expect, it } from "vitest";
import { parseManifest } from "./manifest.js";

describe("parseManifest", () => {
  it("accepts every documented field", () => {
    const m = {
      name: "my-app",
      main: "src/main.ts",
      routes: ["api.example.com", "example.com/api/*"],
      port: 9001,
      vars: { A: "1" },
      kv: { CACHE: "cache", $store_2: "my-app.store_2" },
      limits: { memoryMb: 64, cpuMs: 20, wallMs: 1000, subrequests: 5, kvOperations: 10 },
      triggers: { crons: ["*/5 * * * *", "0 0 1 1 *"] },
      compatibilityDate: "2026-11-01",
    };
    expect(parseManifest(m)).toEqual(m);
    expect(parseManifest({})).toEqual({});
  });

  it.each(["2026-01-31", "2028-02-29", "2000-02-29", "2026-12-31", "2026-04-30"])(
    "accepts the real date %s",
    (date) => {
      expect(parseManifest({ compatibilityDate: date })).toEqual({ compatibilityDate: date });
    },
  );

  it.each([
    [[], "must be a JSON object"],
    [{ nmae: "x" }, 'unknown field "nmae"'],
    [{ name: "My App" }, '"name" must be 1-63 lowercase'],
    [{ name: "../etc" }, '"name" must be 1-63 lowercase'],
    [{ name: "a".repeat(64) }, '"name" must be 1-63 lowercase'],
    [{ port: 70000 }, '"port" must be an integer'],
    [{ port: "80" }, '"port" must be an integer'],
    [{ routes: "a.com" }, '"routes" must be an array'],
    [{ vars: { A: 1 } }, "vars.A must be a string"],
    [{ limits: { cpuMs: 0 } }, "limits.cpuMs must be an integer from 1"],
    [{ limits: { heap: 1 } }, 'unknown limit "heap"'],
    [{ limits: { kvOperations: -1 } }, "limits.kvOperations must be an integer from 0"],
    [{ kv: ["A"] }, '"kv" must be an object'],
    [{ kv: { "my-binding": "ns" } }, 'kv: the binding name "my-binding" is not a JavaScript identifier'],
    [{ kv: { A: "" } }, "kv.A must be a namespace name"],
    [{ kv: { A: "has space" } }, "kv.A must be a namespace name"],
    [{ kv: { A: 1 } }, "kv.A must be a namespace name"],
    [{ vars: { A: "x" }, kv: { A: "ns" } }, 'kv.A: "A" is also a var'],
    [{ triggers: ["* * * * *"] }, '"triggers" must be an object'],
    [{ triggers: { cron: [] } }, 'unknown field "triggers.cron"'],
    [{ triggers: { crons: "* * * * *" } }, '"triggers.crons" must be an array'],
    [{ triggers: { crons: ["61 * * * *"] } }, 'triggers.crons: "61 * * * *" is not a valid cron expression'],
    [{ triggers: { crons: ["* * * * *", "* * * * *"] } }, "lists an expression twice"],
    [{ triggers: { crons: Array.from({ length: 11 }, (_, i) => `${i} * * * *`) } }, "at most 10"],
    [{ compatibilityDate: "yesterday" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: "2026-13-45" }, '"compatibilityDate" must be a date like "2026-11-01", got "2026-13-45"'],
    [{ compatibilityDate: "2026-00-10" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: "2026-04-31" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: "2026-02-29" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: "1900-02-29" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: "2026-01-00" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: "2026-1-05" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: "2026-01-05T00:00:00Z" }, '"compatibilityDate" must be a date'],
    [{ compatibilityDate: 20260105 }, '"compatibilityDate" must be a date'],
  ])("rejects %j with a message naming the field", (raw, message) => {
    expect(() => parseManifest(raw)).toThrow(
      expect.objectContaining({ code: "NANO_ERR_MANIFEST", message: expect.stringContaining(message) }),
    );
  });

  it("reads assets as a folder or an object, with Workers' not-found handling and a binding name", () => {
    expect(parseManifest({ assets: "./public" }).assets).toEqual({
      directory: "./public",
      notFound: "none",
      binding: "ASSETS",
    });
    expect(parseManifest({ assets: { directory: "dist", notFound: "404.html", binding: "STATIC" } }).assets).toEqual({
      directory: "dist",
      notFound: "404-page",
      binding: "STATIC",
    });
    expect(parseManifest({ assets: { directory: "dist", notFound: "single-page-application" } }).assets?.notFound).toBe(
      "single-page-application",
    );
  });

  it.each([
    [{ assets: 1 }, '"assets" must be a folder'],
    [{ assets: "" }, '"assets.directory" must be'],
    [{ assets: { dir: "x" } }, 'unknown field "assets.dir"'],
    [{ assets: { directory: "x", notFound: "index.html" } }, '"assets.notFound" must be'],
    [{ assets: { directory: "x", binding: "not ok" } }, '"assets.binding" must be'],
    [{ assets: "x", vars: { ASSETS: "1" } }, 'assets.binding: "ASSETS" is also'],
    [{ assets: { directory: "x", files: {} } }, 'unknown field "assets.files"'],
  ])("refuses %j", (raw, message) => {
    expect(() => parseManifest(raw)).toThrow(message);
  });
});
