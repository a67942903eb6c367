/**
 * How the isolate answers a request: the bridge functions that settle it (a whole response, a head
 * with a streamed body, a WebSocket, a failure, a scheduled run's outcome) and the bodies it streams
 * out. Whatever the isolate hands over is untrusted and checked here.
 */

import { type BridgeFunctions, decodeHeaderBlock, type EntryPointName } from "@nano/webapi";
import type { ResponseWire } from "../contract.js";
import { NanoError } from "../errors.js";
import { HostBodyStream } from "./host-body-stream.js";
import { checkResponseHead, type ResponseHead } from "./response-head.js";
import type { HostSocket } from "./websocket-bridge.js";

/** How a pending request is settled. */
export interface Answerable {
  resolve(value: {
    response?: ResponseWire;
    stream?: HostBodyStream;
    socket?: HostSocket;
    text?: string;
    ok?: boolean;
  }): void;
  reject(err: NanoError): void;
}

export interface ResponseBridgeOptions {
  /** Ends request `id` (it is no longer pending) and hands it over to be answered. */
  settle(id: number): Answerable | undefined;
  /** A new incoming WebSocket, for a 101 answer. */
  openSocket(): HostSocket;
  /** Runs an entry no request owns. */
  enter(name: EntryPointName, args: unknown[]): void;
  /** The isolate was stopped. */
  dead(): boolean;
}

type ResponseFunctions = Pick<
  BridgeFunctions,
  "respond" | "fail" | "complete" | "respondSocket" | "respondStream" | "respondChunk" | "respondEnd"
>;

export class ResponseBridge {
  readonly #opts: ResponseBridgeOptions;
  /** Response bodies being streamed out, by request id. */
  readonly #bodies = new Map<number, HostBodyStream>();

  constructor(opts: ResponseBridgeOptions) {
    this.#opts = opts;
  }

  /** Bodies still streaming out. */
  get size(): number {
    return this.#bodies.size;
  }

  /** The isolate stopped: every body still streaming ends with `message`. */
  endAll(message: string): void {
    for (const stream of this.#bodies.values()) stream.end(message);
    this.#bodies.clear();
  }

  readonly functions: ResponseFunctions = {
    respond: (id, status, statusText, headerBlock, body) => {
      const pending = this.#opts.settle(id);
      if (!pending) return;
      try {
        if (body !== null && !(body instanceof ArrayBuffer)) throw new NanoError("NANO_ERR_BAD_RESPONSE");
        pending.resolve({ response: { ...head(status, statusText, headerBlock), body } });
      } catch (err) {
        pending.reject(err as NanoError);
      }
    },
    fail: (id, message, stack) => {
      // The runtime's own check of the handler's answer (app-handler.ts checkResponse) is not an exception in the app.
      const code = /^TypeError: the fetch handler must return a Response/.test(String(message))
        ? "NANO_ERR_BAD_RESPONSE"
        : /^TypeError: no fetch handler: the app exports only a scheduled handler$/.test(String(message))
          ? "NANO_ERR_NO_FETCH_HANDLER"
          : "NANO_ERR_APP_EXCEPTION";
      this.#opts.settle(id)?.reject(new NanoError(code, String(stack || message)));
    },
    respondSocket: (id, statusText, headerBlock) => {
      const pending = this.#opts.settle(id);
      if (!pending) return 0;
      let checked: ResponseHead;
      try {
        checked = head(101, statusText, headerBlock, true);
      } catch (err) {
        pending.reject(err as NanoError);
        return 0;
      }
      const socket = this.#opts.openSocket();
      pending.resolve({ response: { ...checked, body: null }, socket });
      return socket.id;
    },
    complete: (id, ok, text) => {
      this.#opts.settle(id)?.resolve({ ok, text });
    },
    respondStream: (id, status, statusText, headerBlock) => {
      const pending = this.#opts.settle(id);
      let checked: ResponseHead | null = null;
      try {
        checked = head(status, statusText, headerBlock);
      } catch (err) {
        pending?.reject(err as NanoError);
      }
      if (!pending || !checked) {
        // The request already failed (its wall limit, a bad head): stop the stream, from outside this entry.
        setImmediate(() => !this.#opts.dead() && this.#opts.enter("cancelResponse", [id]));
        return;
      }
      const stream = new HostBodyStream(
        () => this.#cancel(id),
        () => this.#resume(id),
      );
      this.#bodies.set(id, stream);
      pending.resolve({ response: { ...checked, body: null }, stream });
    },
    // The answer tells the runtime whether to keep producing (false: wait for pullResponse).
    respondChunk: (id, bytes) => {
      if (!(bytes instanceof ArrayBuffer)) return false;
      const stream = this.#bodies.get(id);
      return stream?.push(bytes) ?? false;
    },
    respondEnd: (id, error) => {
      const stream = this.#bodies.get(id);
      this.#bodies.delete(id);
      stream?.end(error || null);
    },
  };

  /** The reader has taken most of what was queued: let the app's stream produce again. */
  #resume(id: number): void {
    if (!this.#bodies.has(id) || this.#opts.dead()) return;
    // Later, from outside whatever entry or host callback read the queue. Producing a streamed body
    // after its head is work outside the request: when that budget is spent, it waits for it.
    setImmediate(() => {
      if (this.#bodies.has(id) && !this.#opts.dead()) this.#opts.enter("pullResponse", [id]);
    });
  }

  /** The client left: stop the app's stream (its own entry, charged to no request). */
  #cancel(id: number): void {
    if (!this.#bodies.delete(id) || this.#opts.dead()) return;
    this.#opts.enter("cancelResponse", [id]);
  }
}

/** The app's response head, checked: whatever the isolate hands over is untrusted. */
function head(status: unknown, statusText: unknown, headerBlock: unknown, webSocket = false) {
  if (typeof headerBlock !== "string") throw new NanoError("NANO_ERR_BAD_RESPONSE", "the response head is malformed");
  return checkResponseHead(status, statusText, decodeHeaderBlock(headerBlock), webSocket);
}
