/**
 * One uploaded asset file: its bytes must hash to the name it was sent under; compressible bytes are
 * precompressed here, once, at deploy (brotli and gzip, kept only when they save at least a tenth), so
 * serving never compresses. Whether a form is offered depends on the path's type (asset-deploy.ts).
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { NanoError } from "@nano/worker";
import type { AssetStore } from "../registry/asset-store.js";
import { ASSET_HASH, type AssetEncoding, type AssetLimits, DEFAULT_ASSET_LIMITS } from "./asset-index.js";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Smaller files gain nothing from compression (and a header costs more than it saves). */
const MIN_COMPRESS_BYTES = 128;
/** Brotli's best level is slow on large files: above this size a faster level is used. */
const BROTLI_MAX_QUALITY_BYTES = 1024 * 1024;

async function compressed(bytes: Uint8Array): Promise<Partial<Record<AssetEncoding, Uint8Array>>> {
  if (bytes.byteLength < MIN_COMPRESS_BYTES) return {};
  const quality = bytes.byteLength <= BROTLI_MAX_QUALITY_BYTES ? constants.BROTLI_MAX_QUALITY : 6;
  const [br, gz] = await Promise.all([
    brotli(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength },
    }),
    gzipAsync(bytes, { level: 9 }),
  ]);
  const out: Partial<Record<AssetEncoding, Uint8Array>> = {};
  const worth = (c: Uint8Array) => c.byteLength <= bytes.byteLength * 0.9;
  if (worth(br)) out.br = br;
  if (worth(gz)) out.gzip = gz;
  return out;
}

export interface StoredUpload {
  hash: string;
  size: number;
  encodings: AssetEncoding[];
}

export async function storeUpload(
  store: AssetStore,
  hash: string,
  bytes: Uint8Array,
  limits: AssetLimits = DEFAULT_ASSET_LIMITS,
): Promise<StoredUpload> {
  if (!ASSET_HASH.test(hash)) throw new NanoError("NANO_ERR_BAD_REQUEST", "an asset's name is its SHA-256 in hex");
  if (bytes.byteLength > limits.fileBytes) {
    throw new NanoError("NANO_ERR_ASSET_LIMIT", `an asset file may be at most ${limits.fileBytes / 1048576} MiB`);
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== hash) {
    throw new NanoError("NANO_ERR_BAD_REQUEST", `the uploaded bytes hash to ${actual}, not to ${hash}`);
  }
  const forms = await compressed(bytes);
  await store.put(hash, bytes, forms);
  return { hash, size: bytes.byteLength, encodings: Object.keys(forms) as AssetEncoding[] };
}
