/**
 * https://fetch.spec.whatwg.org/#fetch-method — `fetch`, performed by the host (undici) the way timers
 * are: `fetchStart` hands the request over and the host enters `fetchHead`, then `fetchChunk` for
 * each `fetchPull` the body stream makes, then `fetchEnd`. The body stream pulls only while its queue
 * is under HIGH_WATER_MARK, so an unread body stays paused on the host. Request bodies are read in
 * full before the request leaves (deviation: no streaming uploads yet).
 */
import { type BridgeFunctions, decodeHeaderBlock, type EntryPoints, encodeHeaderBlock } from "../bridge-contract.js";
import { type AbortSignal, addAbortAlgorithm, removeAbortAlgorithm } from "./abort.js";
import { Body } from "./body.js";
import { Headers } from "./headers.js";
import { Request, type RequestInit } from "./request.js";
import { Response } from "./response.js";
import { type ReadableByteStreamController, ReadableStream, type ReadableStreamDefaultReader } from "./streams.js";
import type { URL } from "./url.js";

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

/** The whole buffer of `bytes` (the host copies it), sliced only when the view covers part of one. */
function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function createFetch(host: FetchHost): { fetch: Fetch; entries: FetchEntryPoints } {
  const inflight = new Map<number, InFlight>();
  /** Readers of request bodies being streamed up to the host, by fetch id. */
  const uploads = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
  let nextId = 1;

  const forget = (id: number): InFlight | undefined => {
    const f = inflight.get(id);
    if (!f) return undefined;
    inflight.delete(id);
    const upload = uploads.get(id);
    uploads.delete(id);
    void upload?.cancel().catch(() => undefined);
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
      f.controller?.error(reason);
    } catch {
      // Already closed or errored.
    }
  };

  // `init = undefined` keeps fetch.length at 1, as WebIDL gives it.
  async function fetch(input: string | URL | Request, init: RequestInit | undefined = undefined): Promise<Response> {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    if (arguments.length < 1) throw new TypeError("fetch: 1 argument required, but only 0 present");
    const request = new Request(input, init);
    const signal = Request.signalOf(request);
    signal?.throwIfAborted();
    // A buffered body goes up in one piece; a stream body chunk by chunk as the host asks for it.
    const body = Request.takeBodyOrStream(request);
    const id = nextId++;
    const headers = encodeHeaderBlock(Headers.flatten(request.headers));
    const streamed = body !== null && !(body instanceof Uint8Array);
    const buffer = body === null || streamed ? null : wholeBuffer(body as Uint8Array);
    const refused = host.fetchStart(id, request.method, request.url, headers, buffer, request.redirect, streamed);
    if (refused !== "") throw new TypeError(refused);
    if (streamed) uploads.set(id, (body as ReadableStream<Uint8Array>).getReader());
    return new Promise<Response>((resolve, reject) => {
      const f: InFlight = {
        resolve,
        reject,
        controller: null,
        headReceived: false,
        pulled: null,
        signal,
        onAbort: () => abort(id, signal?.reason),
      };
      inflight.set(id, f);
      if (signal) addAbortAlgorithm(signal, f.onAbort);
    });
  }

  const entries: FetchEntryPoints = {
    fetchHead(id, status, statusText, headerBlock, url, redirected, hasBody) {
      const f = inflight.get(id);
      if (!f) return;
      f.headReceived = true;
      let body: Body | null = null;
      if (hasBody) {
        const stream = new ReadableStream(
          {
            type: "bytes",
            start(controller) {
              f.controller = controller;
            },
            pull() {
              return new Promise<void>((resolve) => {
                f.pulled = resolve;
                host.fetchPull(id);
              });
            },
            cancel() {
              if (forget(id)) host.fetchAbort(id);
            },
          },
          { highWaterMark: HIGH_WATER_MARK },
        );
        body = Body.fromStream(stream);
      } else {
        forget(id);
      }
      f.resolve(Response.fromHost(status, statusText, decodeHeaderBlock(headerBlock), body, url, redirected));
    },

    fetchChunk(id, bytes) {
      const f = inflight.get(id);
      if (!f?.controller) return;
      f.controller.enqueue(new Uint8Array(bytes));
      const pulled = f.pulled;
      f.pulled = null;
      pulled?.();
    },

    fetchBodyPull(id) {
      const reader = uploads.get(id);
      if (!reader) return host.fetchBodyChunk(id, null, "the request body is gone");
      reader
        .read()
        .then(({ done, value }) => {
          if (uploads.get(id) !== reader) return;
          if (done) {
            uploads.delete(id);
            return host.fetchBodyChunk(id, null, "");
          }
          if (!(value instanceof Uint8Array)) throw new TypeError("a request body stream must yield Uint8Array chunks");
          host.fetchBodyChunk(id, value.slice().buffer as ArrayBuffer, "");
        })
        .catch((err: unknown) => {
          uploads.delete(id);
          host.fetchBodyChunk(id, null, err instanceof Error ? err.message : String(err));
        });
    },

    fetchEnd(id, error) {
      const f = forget(id);
      if (!f) return;
      if (!f.headReceived) f.reject(new TypeError(error ?? "fetch failed"));
      else if (error !== null) errorStream(f, new TypeError(error));
      else {
        try {
          f.controller?.close();
        } catch (err) {
          // A BYOB read left partly filled cannot close: the body ended short of it.
          errorStream(f, err);
        }
      }
    },
  };

  return { fetch, entries };
}
