/**
 * The app folder's asset files, as `nano deploy` and `nano serve` see them: every regular file under
 * the directory (symbolic links are skipped, so nothing outside the folder is published), its URL path
 * ("/" + its path with "/" separators) and its SHA-256. The limits are checked here already, so a
 * site over them fails before anything is uploaded.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { NanoError } from "@nano/worker";
import { type AssetLimits, assetPathProblem, DEFAULT_ASSET_LIMITS } from "./asset-index.js";

export interface LocalAsset {
  /** The URL path, e.g. "/docs/index.html". */
  path: string;
  file: string;
  hash: string;
  size: number;
}

const MIB = 1024 * 1024;

export async function collectAssets(
  appDir: string,
  directory: string,
  limits: AssetLimits = DEFAULT_ASSET_LIMITS,
): Promise<LocalAsset[]> {
  const root = resolve(appDir, directory);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) {
    throw new NanoError("NANO_ERR_MANIFEST", `nano.json: "assets" names ${directory}, which is not a folder`);
  }
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  if (files.length > limits.files) {
    throw new NanoError(
      "NANO_ERR_ASSET_LIMIT",
      `${directory} holds ${files.length} files; at most ${limits.files} asset files are allowed`,
    );
  }
  const out: LocalAsset[] = [];
  let total = 0;
  for (const file of files.sort()) {
    const path = `/${relative(root, file).split(sep).join("/")}`;
    const problem = assetPathProblem(path);
    if (problem) throw new NanoError("NANO_ERR_MANIFEST", `the asset ${path} cannot be served: ${problem}`);
    const bytes = await readFile(file);
    if (bytes.byteLength > limits.fileBytes) {
      throw new NanoError(
        "NANO_ERR_ASSET_LIMIT",
        `the asset ${path} is ${(bytes.byteLength / MIB).toFixed(1)} MiB; a file may be at most ${limits.fileBytes / MIB} MiB`,
      );
    }
    total += bytes.byteLength;
    if (total > limits.totalBytes) {
      throw new NanoError("NANO_ERR_ASSET_LIMIT", `the assets in ${directory} are over ${limits.totalBytes / MIB} MiB`);
    }
    out.push({ path, file, hash: createHash("sha256").update(bytes).digest("hex"), size: bytes.byteLength });
  }
  return out;
}
