// The package's public face as built: the script is read from dist/ beside the compiled module.
import { describe, expect, it } from "vitest";
import { BRIDGE_FUNCTIONS, ENTRY_POINTS, INIT_GLOBAL, RUNTIME_HASH, RUNTIME_SCRIPT } from "../dist/index.js";

describe("runtime script", () => {
  it("is one IIFE with a sourceURL, defining only the init global", () => {
    expect(RUNTIME_SCRIPT).toMatch(/^(?:"use strict";\s*)?\(\(\)\s*=>\s*\{/);
    expect(RUNTIME_SCRIPT.trimEnd().endsWith("//# sourceURL=nano:runtime")).toBe(true);
    expect(RUNTIME_SCRIPT).toContain(INIT_GLOBAL);
    expect(RUNTIME_HASH).toMatch(/^[0-9a-f]{16}$/);
  });

  it("does not reach for Node: no require, process or Buffer at run time", () => {
    expect(RUNTIME_SCRIPT).not.toMatch(/\brequire\(["']node:/);
    expect(RUNTIME_SCRIPT).not.toMatch(/\bprocess\.(env|versions|nextTick)/);
  });

  it("names each bridge function and entry point once", () => {
    expect(new Set(BRIDGE_FUNCTIONS).size).toBe(BRIDGE_FUNCTIONS.length);
    expect(new Set(ENTRY_POINTS).size).toBe(ENTRY_POINTS.length);
  });
});
