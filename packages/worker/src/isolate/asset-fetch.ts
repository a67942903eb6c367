/**
 * `env.ASSETS.fetch` on the host: the thread's asset server answers, in the shape of a network
 * response, so the fetch bridge hands it to the isolate like any other. A file in memory (a cached
 * one) is held until the isolate reads it, so the bytes of those not yet read are bounded per isolate;
 * a large file comes as a stream that reads the store only as it is pulled.
 */
import type { AssetServerRequest, AssetServerResponse } from "../assets/asset-server.js";
import type { OutboundResponse } from "./outbound-http.js";

const ASSET_BODY_BYTES = 64 * 1024 * 1024;

/** An asset's bytes as the isolate pulls them: 64 KiB at a time, so a 25 MiB file is not one entry. */
const ASSET_CHUNK_BYTES = 64 * 1024;

/** `release(n)` as n bytes leave host memory: pulled for the isolate, or dropped on cancel. */
function chunked(bytes: Uint8Array, release: (n: number) => void): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.byteLength) return controller.close();
        const end = Math.min(offset + ASSET_CHUNK_BYTES, bytes.byteLength);
        controller.enqueue(bytes.subarray(offset, end));
        release(end - offset);
        offset = end;
      },
      cancel() {
        release(bytes.byteLength - offset);
        offset = bytes.byteLength;
      },
      // Nothing is taken out ahead of the isolate's pulls: what it has not pulled counts as held.
    },
    { highWaterMark: 0 },
  );
}

export class AssetFetcher {
  readonly #serve: (request: AssetServerRequest) => Promise<AssetServerResponse>;
  readonly #bound: number;
  #held = 0;

  constructor(serve: (request: AssetServerRequest) => Promise<AssetServerResponse>, bound = ASSET_BODY_BYTES) {
    this.#serve = serve;
    this.#bound = bound;
  }

  /** Bytes of answered bodies the isolate has not pulled yet. */
  get held(): number {
    return this.#held;
  }

  async fetch(method: string, url: string, headers: string[]): Promise<OutboundResponse> {
    const r = await this.#serve({ method, url, headers });
    const bytes = r.body;
    // A large file is a stream reading the store piece by piece as the isolate pulls: nothing is held.
    if (bytes instanceof ReadableStream) {
      return { status: r.status, statusText: "", headers: r.headers, url, redirected: false, body: bytes };
    }
    if (bytes !== null && this.#held + bytes.byteLength > this.#bound) {
      // Fetches whose bodies are never read would otherwise hold up to 25 MiB each, for idleMs.
      throw new TypeError(
        `fetch failed: env.ASSETS: ${this.#held} bytes of asset responses are not read yet, and ` +
          `this one has ${bytes.byteLength}; an isolate may hold ${this.#bound} (read or cancel the bodies first)`,
      );
    }
    if (bytes !== null) this.#held += bytes.byteLength;
    return {
      status: r.status,
      statusText: "",
      headers: r.headers,
      url,
      redirected: false,
      body:
        bytes === null
          ? null
          : chunked(bytes, (n) => {
              this.#held -= n;
            }),
    };
  }
}
