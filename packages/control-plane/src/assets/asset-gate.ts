/**
 * The ingress's asset step: a GET or HEAD that matches one of the version's assets is answered here,
 * from the blob cache, without a thread or an isolate; everything else goes on to the app, including
 * paths no asset can have (dot segments, encoded separators: `/api/items/a%2Fb` is the app's business).
 */
import type { IncomingMessage } from "node:http";
import type { VersionWire } from "@nano/worker";
import { AssetCache, type BlobSource } from "./asset-cache.js";
import { answerAsset } from "./asset-response.js";
import { AssetIndexes } from "./asset-wire.js";

export interface AssetServed {
  response: Response;
  status: number;
  bytes: number;
}

export class AssetGate {
  readonly #cache: AssetCache;
  readonly #indexes = new AssetIndexes();

  constructor(store: BlobSource, cacheBytes?: number) {
    this.#cache = new AssetCache(store, cacheBytes);
  }

  /** The answer, or null (the app's fetch answers). */
  async serve(version: VersionWire, incoming: IncomingMessage, target: string): Promise<AssetServed | null> {
    if (!version.assets) return null;
    const method = incoming.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return null;
    const q = target.indexOf("?");
    const answer = await answerAsset(
      this.#indexes.of(version.assets.index),
      {
        method,
        path: q < 0 ? target : target.slice(0, q),
        query: q < 0 ? "" : target.slice(q),
        header: (name) => {
          const v = incoming.headers[name];
          return Array.isArray(v) ? v.join(", ") : v;
        },
      },
      this.#cache.read,
      "ingress",
    );
    // "bad-path" is the binding's answer only: the ingress mode gives null for such paths.
    if (answer === null || answer === "bad-path") return null;
    return {
      response: new Response(answer.body as Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null, {
        status: answer.status,
        headers: answer.headers,
      }),
      status: answer.status,
      bytes:
        answer.body === null
          ? 0
          : answer.body instanceof Uint8Array
            ? answer.body.byteLength
            : Number(answer.headers["content-length"]),
    };
  }
}
