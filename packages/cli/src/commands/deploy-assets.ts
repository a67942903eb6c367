/**
 * `nano deploy`'s asset upload, content-addressed: hash the files, ask the server which hashes it
 * lacks, send only those (a few at a time), and hand back the path → hash list the version names.
 */
import { readFile } from "node:fs/promises";
import { collectAssets, DEFAULT_ASSET_LIMITS } from "@nano/control-plane";
import type { AdminClient } from "../client.js";

/** Uploads in flight at once. */
const CONCURRENCY = 4;

export interface AssetUpload {
  list: Record<string, string>;
  files: number;
  uploaded: number;
  uploadedBytes: number;
}

export async function uploadAssets(
  client: AdminClient,
  app: string,
  appDir: string,
  directory: string,
): Promise<AssetUpload> {
  // Only the file size is checked here: the count and total are the server's (configurable) limits.
  const assets = await collectAssets(appDir, directory, {
    ...DEFAULT_ASSET_LIMITS,
    files: Number.POSITIVE_INFINITY,
    totalBytes: Number.POSITIVE_INFINITY,
  });
  const list: Record<string, string> = {};
  for (const a of assets) list[a.path] = a.hash;
  const base = `/v1/apps/${encodeURIComponent(app)}/assets`;
  const { missing } = await client.request<{ missing: string[] }>("POST", `${base}/missing`, {
    hashes: [...new Set(Object.values(list))],
  });
  const byHash = new Map(assets.map((a) => [a.hash, a]));
  const queue = [...missing];
  let uploadedBytes = 0;
  const worker = async () => {
    for (let hash = queue.shift(); hash !== undefined; hash = queue.shift()) {
      const asset = byHash.get(hash);
      if (!asset) throw new Error(`the server asked for ${hash}, which is not one of this app's files`);
      const bytes = await readFile(asset.file);
      await client.bytes("PUT", `${base}/${hash}`, bytes);
      uploadedBytes += bytes.byteLength;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { list, files: assets.length, uploaded: missing.length, uploadedBytes };
}
