import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bundleApp } from "./bundler.js";

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
    expect(b.code.startsWith("__nano_define(function (module, exports) {")).toBe(true);
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
});
