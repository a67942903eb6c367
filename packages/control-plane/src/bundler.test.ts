import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { bundleApp } from "./bundler.js";

/**
 * Runs a bundle's script the way the runtime does, as a script in a context of its own:
 * `__nano_define(factory, abi)` (which deletes itself), then the factory with the builtins.
 */
function evaluate(code: string, builtins: unknown = {}) {
  let factory: ((b: unknown) => unknown) | null = null;
  let abi: unknown;
  const context = createContext({});
  Object.defineProperty(context, "__nano_define", {
    configurable: true,
    value(f: (b: unknown) => unknown, a: unknown) {
      delete (context as Record<string, unknown>).__nano_define;
      factory = f;
      abi = a;
    },
  });
  runInContext(code, context);
  return { abi, context, exports: (factory as unknown as (b: unknown) => unknown)(builtins) };
}

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

function appDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-app-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("bundleApp", () => {
  it("bundles TypeScript and npm imports into one script that calls __nano_define", async () => {
    const b = await bundleApp(join(ROOT, "examples/hono"));
    expect(b.name).toBe("hono-example");
    expect(b.entry).toBe("src/index.ts");
    // An ES module: strict, and the wrapper takes no parameter (the app does not import cloudflare:workers).
    expect(b.code.startsWith('__nano_define(() => {\n"use strict";\nreturn (() => {')).toBe(true);
    expect(b.code.endsWith("}, 2);\n")).toBe(true);
    expect(b.code).not.toMatch(/^\s*(import|export)\s/m);
    expect(b.code).toContain("Hello from");
  });

  it("uses the manifest's main and name", async () => {
    const dir = appDir({
      "nano.json": '{"name":"custom","main":"lib/app.js"}',
      "lib/app.js": "export default { fetch() {} }",
    });
    const b = await bundleApp(dir);
    expect([b.name, b.entry]).toEqual(["custom", "lib/app.js"]);
  });

  it("reports a syntax error with file, line and column", async () => {
    const dir = appDir({ "src/index.ts": "export default {\n  fetch() { return 1 +; }\n}\n" });
    await expect(bundleApp(dir)).rejects.toMatchObject({
      code: "NANO_ERR_BUNDLE",
      message: expect.stringMatching(/^src\/index\.ts:2:\d+: Unexpected ";"/),
    });
  });

  it("reports an unresolvable import", async () => {
    const dir = appDir({ "index.js": 'import x from "not-installed-pkg";\nexport default { fetch() { return x } }' });
    await expect(bundleApp(dir)).rejects.toMatchObject({
      code: "NANO_ERR_BUNDLE",
      message: expect.stringContaining('Could not resolve "not-installed-pkg"'),
    });
  });

  it("reports a folder without an entry, and a broken manifest", async () => {
    await expect(bundleApp(appDir({ "README.md": "hi" }))).rejects.toMatchObject({
      message: expect.stringContaining("no entry file"),
    });
    await expect(bundleApp(appDir({ "nano.json": "{ nope", "index.js": "" }))).rejects.toMatchObject({
      code: "NANO_ERR_MANIFEST",
      message: expect.stringContaining("not valid JSON"),
    });
  });

  it("runs an ES module strict, without module/exports, with `this` undefined; UMD code keeps its exports", async () => {
    const dir = appDir({
      "index.js": `
        const top = this;
        const strict = (function () { return this; })() === undefined;
        export default { fetch() {}, seen: { top, strict, module: typeof module, exports: typeof exports, args: typeof arguments } };
        if (typeof module === "object" && module.exports) module.exports = { hijacked: true };
      `,
    });
    const b = await bundleApp(dir);
    const { abi, exports } = evaluate(b.code);
    expect(abi).toBe(2);
    const seen = (exports as { default: { seen: unknown } }).default.seen;
    expect(seen).toEqual({
      top: undefined,
      strict: true,
      module: "undefined",
      exports: "undefined",
      args: "undefined",
    });
  });

  it("runs a classic script as a script: sloppy, `this` the global object, declarations global, no exports", async () => {
    const dir = appDir({
      "index.js": `var declared = 1;
        globalThis.seen = { top: this === globalThis, strict: (function () { return this; })() === undefined,
          module: typeof module, define: typeof __nano_define };`,
    });
    const b = await bundleApp(dir);
    const { exports, context } = evaluate(b.code);
    expect(exports).toBeUndefined();
    expect(runInContext("[declared, seen]", context)).toEqual([
      1,
      { top: true, strict: false, module: "undefined", define: "undefined" },
    ]);
  });

  it("returns a CommonJS entry's module.exports", async () => {
    const b = await bundleApp(appDir({ "index.js": "module.exports = { default: { fetch() { return 'cjs'; } } };" }));
    const { exports } = evaluate(b.code);
    expect((exports as { default: { fetch(): string } }).default.fetch()).toBe("cjs");
  });

  it("resolves cloudflare:workers to the module the runtime passes, through a parameter named by the bundle's hash", async () => {
    const src = `import { WorkerEntrypoint, env, waitUntil } from "cloudflare:workers";
      export default class extends WorkerEntrypoint { fetch() { return [env, waitUntil]; } }`;
    const b = await bundleApp(appDir({ "index.js": src }));
    const param = /^__nano_define\(\((__nano_[0-9a-f]{20})\) => \{/.exec(b.code)?.[1];
    expect(param).toBeDefined();
    expect(b.code).not.toContain("__nano_cloudflare_workers");
    // The same source gives the same bundle (deploys are idempotent by content).
    expect((await bundleApp(appDir({ "index.js": src }))).code).toBe(b.code);
    class WorkerEntrypoint {}
    const builtins = { WorkerEntrypoint, env: { A: "1" }, waitUntil: () => {} };
    const { exports } = evaluate(b.code, builtins);
    const Entry = (exports as { default: new () => { fetch(): unknown[] } }).default;
    expect(Object.getPrototypeOf(Entry)).toBe(WorkerEntrypoint);
    expect(new Entry().fetch()).toEqual([builtins.env, builtins.waitUntil]);
  });

  it("fails a cloudflare:workers import that does not exist", async () => {
    const dir = appDir({
      "index.js": 'import { Nope } from "cloudflare:workers";\nexport default { fetch() { return Nope } }',
    });
    await expect(bundleApp(dir)).rejects.toMatchObject({
      code: "NANO_ERR_BUNDLE",
      message: expect.stringContaining('No matching export in "cloudflare:workers" for import "Nope"'),
    });
  });

  it.each([
    [
      "cloudflare:sockets",
      '"cloudflare:sockets" is a Cloudflare Workers built-in module (TCP sockets) that is not supported by NANO',
    ],
    [
      "cloudflare:email",
      '"cloudflare:email" is a Cloudflare Workers built-in module (Email Workers) that is not supported by NANO',
    ],
    [
      "cloudflare:whatever",
      '"cloudflare:whatever" is a Cloudflare Workers built-in module that is not supported by NANO',
    ],
    ["__STATIC_CONTENT_MANIFEST", '"__STATIC_CONTENT_MANIFEST" (Workers Sites) is not supported by NANO'],
    ["node:buffer", '"node:buffer" is a Node.js built-in module: NANO does not support node:* modules'],
    ["fs", '"fs" is a Node.js built-in module: NANO does not support node:* modules'],
  ])("fails an import of the built-in %s with an error naming it", async (specifier, message) => {
    const dir = appDir({ "index.js": `import x from "${specifier}";\nexport default { fetch() { return x } }` });
    await expect(bundleApp(dir)).rejects.toMatchObject({
      code: "NANO_ERR_BUNDLE",
      message: expect.stringMatching(
        new RegExp(`^index\\.js:1:\\d+: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
      ),
    });
  });

  it("leaves an optional require of a Node built-in inside try to run time, as esbuild does", async () => {
    const dir = appDir({
      "index.js":
        'let c = null;\ntry { c = require("node:crypto"); } catch {}\nexport default { fetch() { return c } }',
    });
    const b = await bundleApp(dir);
    expect(b.code).toContain('"node:crypto"');
  });
});
