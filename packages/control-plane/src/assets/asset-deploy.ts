/**
 * The deploy's half of assets: the list the CLI uploads (path → SHA-256) becomes the version's index,
 * checked against the limits and the store (every blob must be there already: the CLI uploads what
 * `missing` names first). Content types come from the paths; the precompressed forms from the store.
 */
import { NanoError } from "@nano/worker";
import type { AssetStore } from "../registry/asset-store.js";
import {
  ASSET_HASH,
  type AssetFile,
  type AssetIndex,
  type AssetLimits,
  type AssetsConfig,
  assetPathProblem,
  contentTypeOf,
  DEFAULT_ASSET_LIMITS,
  isCompressible,
} from "./asset-index.js";

const MIB = 1024 * 1024;

/** The uploaded list's shape: an object of path → hash, with at most `limits.files` entries. */
export function checkAssetList(raw: unknown, limits: AssetLimits = DEFAULT_ASSET_LIMITS): Record<string, string> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new NanoError("NANO_ERR_BAD_REQUEST", `"assets" must be an object of asset paths to SHA-256 hashes`);
  }
  const entries = Object.entries(raw);
  if (entries.length > limits.files) {
    throw new NanoError(
      "NANO_ERR_ASSET_LIMIT",
      `the app has ${entries.length} asset files; at most ${limits.files} are allowed`,
    );
  }
  for (const [path, hash] of entries) {
    const problem = assetPathProblem(path);
    if (problem) {
      throw new NanoError("NANO_ERR_BAD_REQUEST", `the asset path ${JSON.stringify(path.slice(0, 200))}: ${problem}`);
    }
    if (typeof hash !== "string" || !ASSET_HASH.test(hash)) {
      throw new NanoError("NANO_ERR_BAD_REQUEST", `the asset ${path.slice(0, 200)}: its hash must be 64 hex digits`);
    }
  }
  return raw as Record<string, string>;
}

/** Builds the index stored with the version; refuses a list naming a blob the store lacks. */
export async function buildAssetIndex(
  config: AssetsConfig | undefined,
  list: Record<string, string> | undefined,
  store: AssetStore | undefined,
  limits: AssetLimits = DEFAULT_ASSET_LIMITS,
): Promise<AssetIndex | undefined> {
  if (config === undefined) {
    if (list !== undefined && Object.keys(list).length > 0) {
      throw new NanoError("NANO_ERR_MANIFEST", `asset files were uploaded but nano.json has no "assets"`);
    }
    return undefined;
  }
  if (!store) throw new NanoError("NANO_ERR_MANIFEST", "this server does not store assets");
  const files = checkAssetList(list ?? {}, limits);
  const hashes = Object.values(files);
  const info = await store.info(hashes);
  const missing = [...new Set(hashes.filter((h) => !info.has(h)))];
  if (missing.length > 0) {
    throw new NanoError(
      "NANO_ERR_ASSET_MISSING",
      `${missing.length} asset file(s) are not on the server (first: ${missing[0]}): upload them before the version`,
    );
  }
  const out: Record<string, AssetFile> = {};
  let total = 0;
  // Sorted: the same files make the same index, so the version's content hash does not depend on order.
  for (const path of Object.keys(files).sort()) {
    const hash = files[path] as string;
    const sizes = (info.get(hash) as { sizes: Record<string, number> }).sizes;
    const size = sizes.identity as number;
    if (size > limits.fileBytes) {
      throw new NanoError(
        "NANO_ERR_ASSET_LIMIT",
        `the asset ${path} is ${(size / MIB).toFixed(1)} MiB; a file may be at most ${limits.fileBytes / MIB} MiB`,
      );
    }
    total += size;
    const type = contentTypeOf(path);
    const file: AssetFile = { hash, size, type };
    if (isCompressible(type)) {
      const enc: AssetFile["enc"] = {};
      if (sizes.br !== undefined) enc.br = sizes.br;
      if (sizes.gzip !== undefined) enc.gzip = sizes.gzip;
      if (Object.keys(enc).length > 0) file.enc = enc;
    }
    out[path] = file;
  }
  if (total > limits.totalBytes) {
    throw new NanoError(
      "NANO_ERR_ASSET_LIMIT",
      `the app's assets are ${(total / MIB).toFixed(1)} MiB; at most ${limits.totalBytes / MIB} MiB are allowed`,
    );
  }
  return { ...config, files: out };
}
