/**
 * The admin API's asset routes, for `nano deploy`'s content-addressed upload: which of these hashes
 * does the server lack, and one file's bytes under its hash. The version that names them comes after
 * (POST /v1/apps/:name/versions with `assets`).
 */
import { NanoError } from "@nano/worker";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ASSET_HASH, type AssetLimits, DEFAULT_ASSET_LIMITS } from "./assets/asset-index.js";
import { storeUpload } from "./assets/asset-upload.js";
import { checkAppName } from "./deploy.js";
import type { AssetStore } from "./registry/asset-store.js";

/** A hash list: 20,000 hashes of 64 characters, quoted, with commas. */
const MAX_MISSING_BODY = 2 * 1024 * 1024;

export function mountAssetRoutes(api: Hono, store: AssetStore, limits: AssetLimits = DEFAULT_ASSET_LIMITS): void {
  api.post(
    "/v1/apps/:name/assets/missing",
    bodyLimit({
      maxSize: MAX_MISSING_BODY,
      onError: () => {
        throw new NanoError("NANO_ERR_PAYLOAD_TOO_LARGE", "the hash list is larger than 2 MiB");
      },
    }),
    async (c) => {
      checkAppName(c.req.param("name"));
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new NanoError("NANO_ERR_BAD_REQUEST", "the body must be JSON");
      }
      const hashes = (body as { hashes?: unknown } | null)?.hashes;
      if (!Array.isArray(hashes) || hashes.some((h) => typeof h !== "string" || !ASSET_HASH.test(h))) {
        throw new NanoError("NANO_ERR_BAD_REQUEST", `"hashes" must be an array of SHA-256 hashes in hex`);
      }
      if (hashes.length > limits.files) {
        throw new NanoError("NANO_ERR_ASSET_LIMIT", `at most ${limits.files} asset files are allowed`);
      }
      return c.json({ missing: await store.missing(hashes as string[]) });
    },
  );

  api.put(
    "/v1/apps/:name/assets/:hash",
    bodyLimit({
      maxSize: limits.fileBytes,
      onError: () => {
        throw new NanoError("NANO_ERR_ASSET_LIMIT", `an asset file may be at most ${limits.fileBytes / 1048576} MiB`);
      },
    }),
    async (c) => {
      checkAppName(c.req.param("name"));
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await c.req.arrayBuffer());
      } catch {
        throw new NanoError("NANO_ERR_BAD_REQUEST", "the body could not be read");
      }
      return c.json(await storeUpload(store, c.req.param("hash"), bytes, limits), 201);
    },
  );
}
