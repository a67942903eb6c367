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
      limits: { memoryMb: 64, cpuMs: 20, wallMs: 1000, subrequests: 5 },
      compatibilityDate: "2026-11-01",
    };
    expect(parseManifest(m)).toEqual(m);
    expect(parseManifest({})).toEqual({});
  });

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
    [{ compatibilityDate: "yesterday" }, '"compatibilityDate" must be a date'],
  ])("rejects %j with a message naming the field", (raw, message) => {
    expect(() => parseManifest(raw)).toThrow(
      expect.objectContaining({ code: "NANO_ERR_MANIFEST", message: expect.stringContaining(message) }),
    );
  });
});
