/**
 * The asset server a worker thread opens for `env.ASSETS.fetch` (ThreadData.assets names this module):
 * its own read-only connection to the registry file and its own bounded cache. The binding mode of
 * answerAsset applies the not-found handling (404.html, single-page-application), as on Workers.
 */
import type { AssetServer, AssetServerResponse } from "@nano/worker";
import { SqliteAssetStore } from "../registry/asset-sqlite-store.js";
import { AssetCache } from "./asset-cache.js";
import { answerAsset } from "./asset-response.js";
import { AssetIndexes } from "./asset-wire.js";

/** Smaller than the ingress's: every thread has its own, and the ingress answers most asset requests. */
const THREAD_CACHE_BYTES = 16 * 1024 * 1024;

export function createAssetServer(options: { path: string; cacheBytes?: number }): AssetServer {
  const cache = new AssetCache(
    new SqliteAssetStore(options.path, { readonly: true }),
    options.cacheBytes ?? THREAD_CACHE_BYTES,
  );
  const indexes = new AssetIndexes();
  return {
    async fetch(index, request): Promise<AssetServerResponse> {
      const url = new URL(request.url);
      const lower = new Map<string, string>();
      for (let i = 0; i + 1 < request.headers.length; i += 2) {
        const name = (request.headers[i] as string).toLowerCase();
        const prev = lower.get(name);
        lower.set(name, prev === undefined ? (request.headers[i + 1] as string) : `${prev}, ${request.headers[i + 1]}`);
      }
      const answer = await answerAsset(
        indexes.of(index),
        { method: request.method, path: url.pathname, query: url.search, header: (n) => lower.get(n) },
        cache.read,
        "binding",
      );
      if (answer === "bad-path" || answer === null) {
        return { status: answer === null ? 404 : 400, headers: ["content-type", "text/plain"], body: null };
      }
      return { status: answer.status, headers: Object.entries(answer.headers).flat(), body: answer.body };
    },
  };
}
