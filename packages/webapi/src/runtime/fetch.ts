// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://fetch.spec.whatwg.org/#fetch-method — `fetch`, performed by the host (undici) the way timers
 * are: `fetchStart` hands the request over and the host enters `fetchHead`, then `fetchChunk` for
 * each `fetchPull` the body stream makes, then `fetchEnd`. The body stream pulls only while its queue
 * is under HIGH_WATER_MARK, so an unread body stays paused on the host. Request bodies are read in
 * full before the request leaves (deviation: no streaming uploads yet).
 */
import type { BridgeFunctions, EntryPoints } from "../bridge-contract.js";
import { type AbortSignal, addAbortAlgorithm, removeAbortAlgorithm, signalReason } from "./abort.js";
import { Body } from "./body.js";
import { decodeHeaderBlock, encodeHeaderBlock } from "./header-block.js";
import { flattenHeaders } from "./headers.js";
import {
  ArrayPrototypePush,
  copyBytes,
  Error as ErrorCtor,
  isInstanceOf,
  isUint8Array,
  nullProto,
  Promise as PromiseCtor,
  PromisePrototypeCatch,
  PromisePrototypeThen,
  SafeMap,
  SafePromise,
  String as StringCtor,
  TypedArrayPrototypeGetBuffer,
  TypeError,
  Uint8Array,
  wholeBuffer,
} from "./primordials.js";
import { Request, type RequestInit, requestHead, requestOptions, requestSignal, takeRequestBody } from "./request.js";
import { type Response, responseFromHost } from "./response.js";
import {
  type ReadableByteStreamController,
  ReadableByteStreamControllerPrototypeClose,
  ReadableByteStreamControllerPrototypeEnqueue,
  ReadableByteStreamControllerPrototypeError,
  ReadableStream,
  type ReadableStreamDefaultReader,
  ReadableStreamDefaultReaderPrototypeCancel,
  ReadableStreamDefaultReaderPrototypeRead,
  ReadableStreamPrototypeGetReader,
  type ReadableStreamReadResult,
} from "./streams.js";
import type { URL } from "./url.js";
import { webSocketFromHost } from "./websocket.js";

type FetchHost = Pick<BridgeFunctions, "fetchStart" | "fetchPull" | "fetchAbort" | "fetchBodyChunk">;
export type FetchEntryPoints = Pick<EntryPoints, "fetchHead" | "fetchChunk" | "fetchEnd" | "fetchBodyPull">;

/** Bytes of a response body read ahead into the isolate before the host is paused. */
const HIGH_WATER_MARK = 64 * 1024;

interface InFlight {
  resolve(response: Response): void;
  reject(reason: unknown): void;
  /** Set once the head arrived and the body stream started. */
  controller: ReadableByteStreamController | null;
  headReceived: boolean;
  /** Settles the body stream's pending pull. */
  pulled: (() => void) | null;
  signal: AbortSignal | null;
  onAbort: () => void;
}

const noop = () => undefined;

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The abort algorithm of fetch `id` (made by a function: see entry-points.ts on per-call closures). */
function abortAlgorithm(
  abort: (id: number, reason: unknown) => void,
  id: number,
  signal: AbortSignal | null,
): () => void {
  return () => abort(id, signal === null ? undefined : signalReason(signal));
}

/** A reason's message for the host. Never throws (the reason is the app's). */
function describe(err: unknown): string {
  try {
    return isInstanceOf(err, ErrorCtor) ? StringCtor((err as Error).message) : StringCtor(err);
  } catch {
    return "the request body stream failed";
  }
}

/**
 * https://fetch.spec.whatwg.org/#http-network-or-cache-fetch steps 8.20-8.21 — the request headers a
 * cache mode implies, so caches between here and the origin honour it (fetch itself has no cache, so
 * every mode but "only-if-cached" otherwise behaves as "no-store"). `flat` is [name, value, …],
 * names lower-cased; the Request's own headers are left as they are.
 */
function withCacheModeHeaders(flat: string[], cache: string): string[] {
  if (cache !== "no-cache" && cache !== "no-store" && cache !== "reload") return flat;
  let pragma = false;
  let cacheControl = false;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === "pragma") pragma = true;
    else if (flat[i] === "cache-control") cacheControl = true;
  }
  if (cache === "no-cache") {
    if (!cacheControl) ArrayPrototypePush(flat, "cache-control", "max-age=0");
    return flat;
  }
  if (!pragma) ArrayPrototypePush(flat, "pragma", "no-cache");
  if (!cacheControl) ArrayPrototypePush(flat, "cache-control", "no-cache");
  return flat;
}

export function createFetch(host: FetchHost): { fetch: Fetch; assetsFetch: Fetch; entries: FetchEntryPoints } {
  const inflight = new SafeMap<number, InFlight>();
  /** Readers of request bodies being streamed up to the host, by fetch id. */
  const uploads = new SafeMap<number, ReadableStreamDefaultReader<Uint8Array>>();
  let nextId = 1;

  const forget = (id: number): InFlight | undefined => {
    const f = inflight.get(id);
    if (!f) return undefined;
    inflight.delete(id);
    const upload = uploads.get(id);
    uploads.delete(id);
    if (upload !== undefined) void PromisePrototypeCatch(ReadableStreamDefaultReaderPrototypeCancel(upload), noop);
    if (f.signal) removeAbortAlgorithm(f.signal, f.onAbort);
    const pulled = f.pulled;
    f.pulled = null;
    pulled?.();
    return f;
  };

  /** https://fetch.spec.whatwg.org/#abort-fetch */
  const abort = (id: number, reason: unknown): void => {
    const f = forget(id);
    if (!f) return;
    host.fetchAbort(id);
    if (!f.headReceived) f.reject(reason);
    else errorStream(f, reason);
  };

  const errorStream = (f: InFlight, reason: unknown): void => {
    try {
      if (f.controller !== null) ReadableByteStreamControllerPrototypeError(f.controller, reason);
    } catch {
      // Already closed or errored.
    }
  };

  // `init = undefined` keeps fetch.length at 1, as WebIDL gives it.
  async function fetch(input: string | URL | Request, init: RequestInit | undefined = undefined): Promise<Response> {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    if (arguments.length < 1) throw new TypeError("fetch: 1 argument required, but only 0 present");
    return await start(input, init, "");
  }

  /** `env.ASSETS.fetch`: the same request, answered by the host's asset server instead of the network. */
  async function assetsFetch(input: string | URL | Request, init: RequestInit | undefined = undefined) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    if (arguments.length < 1) throw new TypeError("fetch: 1 argument required, but only 0 present");
    return await start(input, init, "assets");
  }

  async function start(input: string | URL | Request, init: RequestInit | undefined, target: string) {
    const request = new Request(input, init);
    const options = requestOptions(request);
    // There is no HTTP cache in front of fetch here: nothing can satisfy "only-if-cached".
    if (options.cache === "only-if-cached") {
      throw new TypeError('fetch: no cached response for cache mode "only-if-cached" (there is no HTTP cache)');
    }
    // Refused rather than ignored: an app that asks for a checked body must not get an unchecked one.
    if (options.integrity !== "") throw new TypeError("fetch: integrity metadata is not supported yet");
    const signal = requestSignal(request);
    if (signal !== null && signalReason(signal) !== undefined) throw signalReason(signal);
    // A buffered body goes up in one piece; a stream body chunk by chunk as the host asks for it.
    const body = takeRequestBody(request);
    const id = nextId++;
    const head = requestHead(request);
    const headers = encodeHeaderBlock(withCacheModeHeaders(flattenHeaders(head.headers), options.cache));
    const streamed = body !== null && !isUint8Array(body);
    const buffer = body === null || streamed ? null : wholeBuffer(body as Uint8Array);
    const refused = host.fetchStart(id, head.method, head.url, headers, buffer, head.redirect, streamed, target);
    if (refused !== "") throw new TypeError(refused);
    if (streamed) uploads.set(id, ReadableStreamPrototypeGetReader(body as ReadableStream<Uint8Array>));
    // Awaited, not returned: an async function resolving with a promise looks up its (replaceable) `then`.
    return await new PromiseCtor<Response>((resolve, reject) => {
      const f: InFlight = {
        resolve,
        reject,
        controller: null,
        headReceived: false,
        pulled: null,
        signal,
        onAbort: abortAlgorithm(abort, id, signal),
      };
      inflight.set(id, f);
      if (signal) addAbortAlgorithm(signal, f.onAbort);
    });
  }

  const entries: FetchEntryPoints = {
    fetchHead(id, status, statusText, headerBlock, url, redirected, hasBody, socket) {
      const f = inflight.get(id);
      if (!f) return;
      f.headReceived = true;
      let response: Response;
      try {
        let body: Body | null = null;
        if (hasBody) {
          const stream = new ReadableStream(
            nullProto({
              type: "bytes" as const,
              start(controller: ReadableByteStreamController) {
                f.controller = controller;
              },
              pull() {
                // A SafePromise: the polyfill resolves a promise with it, which looks up its `then`.
                return new SafePromise<void>((resolve) => {
                  f.pulled = resolve;
                  host.fetchPull(id);
                });
              },
              cancel() {
                if (forget(id)) host.fetchAbort(id);
              },
            }),
            nullProto({ highWaterMark: HIGH_WATER_MARK }),
          );
          body = Body.fromStream(stream);
        } else {
          forget(id);
        }
        // An accepted `Upgrade: websocket` fetch: the response carries the socket the host opened.
        const webSocket = typeof socket === "number" && socket > 0 ? webSocketFromHost(socket) : null;
        response = responseFromHost(
          status,
          statusText,
          decodeHeaderBlock(headerBlock),
          body,
          url,
          redirected,
          webSocket,
        );
      } catch (err) {
        // The response could not be made (an app may have broken what the stream polyfill relies on):
        // the fetch fails rather than waiting forever.
        if (forget(id)) host.fetchAbort(id);
        f.reject(err);
        return;
      }
      f.resolve(response);
    },

    fetchChunk(id, bytes) {
      const f = inflight.get(id);
      if (!f?.controller) return;
      ReadableByteStreamControllerPrototypeEnqueue(f.controller, new Uint8Array(bytes));
      const pulled = f.pulled;
      f.pulled = null;
      pulled?.();
    },

    fetchBodyPull(id) {
      const reader = uploads.get(id);
      if (!reader) return host.fetchBodyChunk(id, null, "the request body is gone");
      const read = ReadableStreamDefaultReaderPrototypeRead(reader) as Promise<ReadableStreamReadResult<unknown>>;
      const sent = PromisePrototypeThen(read, (result) => {
        if (uploads.get(id) !== reader) return;
        if (result.done) {
          uploads.delete(id);
          return host.fetchBodyChunk(id, null, "");
        }
        const value = result.value;
        if (!isUint8Array(value)) throw new TypeError("a request body stream must yield Uint8Array chunks");
        host.fetchBodyChunk(id, TypedArrayPrototypeGetBuffer(copyBytes(value)), "");
      });
      PromisePrototypeCatch(sent, (err: unknown) => {
        uploads.delete(id);
        host.fetchBodyChunk(id, null, describe(err));
      });
    },

    fetchEnd(id, error) {
      const f = forget(id);
      if (!f) return;
      if (!f.headReceived) f.reject(new TypeError(error ?? "fetch failed"));
      else if (error !== null) errorStream(f, new TypeError(error));
      else {
        try {
          if (f.controller !== null) ReadableByteStreamControllerPrototypeClose(f.controller);
        } catch (err) {
          // A BYOB read left partly filled cannot close: the body ended short of it.
          errorStream(f, err);
        }
      }
    },
  };

  return { fetch, assetsFetch, entries };
}
