import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteAssetStore } from "../registry/asset-sqlite-store.js";
import { SecretBox } from "../registry/secret-box.js";
import { SqliteStore } from "../registry/sqlite-store.js";
import { buildAssetIndex, checkAssetList } from "./asset-deploy.js";
import type { AssetsConfig } from "./asset-index.js";
import { storeUpload } from "./asset-upload.js";

const CONFIG: AssetsConfig = { directory: "./public", notFound: "none", binding: "ASSETS" };
const sha = async (s: string) => {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(s).digest("hex");
};

function store(): SqliteAssetStore {
  const dir = mkdtempSync(join(tmpdir(), "nano-assets-"));
  new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key"))).close();
  return new SqliteAssetStore(join(dir, "registry.db"));
}

describe("the asset index at deploy", () => {
  it("builds path → hash, size, type and the precompressed forms of compressible types only", async () => {
    const s = store();
    const css = "a { color: red }\n".repeat(100);
    const svgLike = "<svg>".repeat(100);
    await storeUpload(s, await sha(css), new TextEncoder().encode(css));
    await storeUpload(s, await sha(svgLike), new TextEncoder().encode(svgLike));
    const index = await buildAssetIndex(
      CONFIG,
      { "/s.css": await sha(css), "/blob.bin": await sha(svgLike), "/i.svg": await sha(svgLike) },
      s,
    );
    expect(Object.keys(index?.files ?? {})).toEqual(["/blob.bin", "/i.svg", "/s.css"]);
    expect(index?.files["/s.css"]).toMatchObject({ size: css.length, type: "text/css; charset=utf-8" });
    expect(index?.files["/s.css"]?.enc?.br).toBeLessThan(100);
    expect(index?.files["/i.svg"]?.enc?.gzip).toBeGreaterThan(0);
    // The same bytes under a name with no compressible type: no encodings offered.
    expect(index?.files["/blob.bin"]).toEqual({
      hash: await sha(svgLike),
      size: 500,
      type: "application/octet-stream",
    });
  });

  it("refuses missing blobs, files and totals over the limits, bad paths and hashes", async () => {
    const s = store();
    await storeUpload(s, await sha("12345"), new TextEncoder().encode("12345"));
    const ok = await sha("12345");
    await expect(buildAssetIndex(CONFIG, { "/a": await sha("other") }, s)).rejects.toMatchObject({
      code: "NANO_ERR_ASSET_MISSING",
    });
    const limits = { fileBytes: 4, files: 2, totalBytes: 8 };
    await expect(buildAssetIndex(CONFIG, { "/a": ok }, s, limits)).rejects.toThrow(/at most/);
    const loose = { fileBytes: 10, files: 2, totalBytes: 8 };
    await expect(buildAssetIndex(CONFIG, { "/a": ok, "/b": ok }, s, loose)).rejects.toMatchObject({
      code: "NANO_ERR_ASSET_LIMIT",
    });
    expect(() => checkAssetList({ "/a": ok, "/b": ok, "/c": ok }, loose)).toThrow(/at most 2/);
    for (const path of ["a", "/../a", "/a/", "/a\\b", "/a//b"]) {
      expect(() => checkAssetList({ [path]: ok })).toThrow(/asset path/);
    }
    expect(() => checkAssetList({ "/a": "xyz" })).toThrow(/64 hex/);
    await expect(buildAssetIndex(undefined, { "/a": ok }, s)).rejects.toThrow(/no "assets"/);
  });

  it("refuses an upload whose bytes do not hash to its name", async () => {
    await expect(storeUpload(store(), await sha("a"), new TextEncoder().encode("b"))).rejects.toThrow(/hash to/);
  });
});
