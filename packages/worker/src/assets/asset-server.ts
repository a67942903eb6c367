/**
 * What a worker thread needs for `env.ASSETS.fetch`: an asset server that answers a request from a
 * version's asset index (the control plane's module, loaded by URL like the KV store, so this package
 * needs no storage driver). The host half of the binding (fetch-bridge.ts) has already checked the
 * request's shape; the server decides from the index alone, never from a filesystem path.
 */

export interface AssetServerRequest {
  method: string;
  url: string;
  /** Flat [name, value, …]. */
  headers: string[];
}

export interface AssetServerResponse {
  status: number;
  /** Flat [name, value, …], lower-case names. */
  headers: string[];
  /** In memory, or (a large file) a stream that reads the store as it is pulled. */
  body: Uint8Array | ReadableStream<Uint8Array> | null;
}

export interface AssetServer {
  /** `index` is the version's asset index as JSON bytes (VersionWire.assets.index). */
  fetch(index: SharedArrayBuffer, request: AssetServerRequest): Promise<AssetServerResponse>;
}

/** A module the thread imports; its `createAssetServer(options)` opens the thread's own server. */
export interface AssetServerSpec {
  module: string;
  options: unknown;
}
