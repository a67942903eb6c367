/**
 * The functions the host calls into (see ../bridge-contract.ts). Each reports back through a bridge
 * callback rather than a return value, so a handler that awaits timers completes on a later entry.
 */
import { type BridgeFunctions, decodeHeaderBlock, type EntryPoints, encodeHeaderBlock } from "../bridge-contract.js";
import { type AppHandler, checkResponse } from "./app-handler.js";
import { Headers } from "./headers.js";
import { inspect } from "./inspect.js";
import { Request } from "./request.js";
import { Response } from "./response.js";
import type { ReadableStream, ReadableStreamDefaultReader } from "./streams.js";

/** Drops the runtime's own frames, so a stack shows only the user's code. */
function userStack(stack: string): string {
  return stack
    .split("\n")
    .map((line) => line.replace(/\(eval at evaluate \([^)]*\), (<anonymous>:\d+:\d+)\)/, "($1)"))
    .filter((line) => !/nano:runtime|^\s+at eval \(<anonymous>\)$/.test(line))
    .join("\n");
}

function errorParts(err: unknown): [string, string] {
  if (err instanceof Error) return [`${err.name}: ${err.message}`, err.stack ?? ""];
  return [`Uncaught ${inspect(err)}`, ""];
}

export function createEntryPoints(
  bridge: BridgeFunctions,
  app: AppHandler,
  fireTimer: (id: number) => void,
): Omit<EntryPoints, "fetchHead" | "fetchChunk" | "fetchEnd" | "fetchBodyPull"> {
  /** Readers of responses being streamed out, by request id, so a client that leaves can cancel them. */
  const streaming = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
  /**
   * Streams a response body to the host chunk by chunk. The head waits for the first chunk, so a stream
   * that fails before producing anything still answers 500; after that a failure ends the body early.
   */
  const streamOut = (id: number, res: Response, head: string, stream: ReadableStream<Uint8Array>): Promise<void> => {
    const reader = stream.getReader();
    const chunk = (value: unknown): ArrayBuffer => {
      if (!(value instanceof Uint8Array)) throw new TypeError("a response body stream must yield Uint8Array chunks");
      return value.slice().buffer as ArrayBuffer;
    };
    const pump = (): Promise<void> =>
      reader.read().then(({ done, value }) => {
        if (done) {
          streaming.delete(id);
          bridge.respondEnd(id, "");
          return;
        }
        const bytes = chunk(value);
        if (bytes.byteLength > 0) bridge.respondChunk(id, bytes);
        return pump();
      });
    return reader.read().then(({ done, value }) => {
      if (done) {
        bridge.respond(id, res.status, res.statusText, head, new ArrayBuffer(0));
        return;
      }
      const first = chunk(value);
      bridge.respondStream(id, res.status, res.statusText, head);
      streaming.set(id, reader);
      if (first.byteLength > 0) bridge.respondChunk(id, first);
      return pump().catch((err) => {
        streaming.delete(id);
        void reader.cancel(err).catch(() => undefined);
        bridge.respondEnd(id, errorParts(err)[0]);
      });
    });
  };
  return {
    loadApp(envJson) {
      return app.load(JSON.parse(envJson) as Record<string, unknown>);
    },

    fetch(id, method, url, headerBlock, body) {
      const request = Request.fromHost(method, url, decodeHeaderBlock(headerBlock), body);
      const ctx = {
        waitUntil(p: unknown) {
          Promise.resolve(p).catch((err) => bridge.log("error", `waitUntil: ${errorParts(err)[0]}`));
        },
        passThroughOnException() {},
      };
      // .catch after .then: a non-Response answer throws inside the fulfilment callback.
      app
        .handle(request, ctx)
        .then((value) => {
          const res = checkResponse(value);
          const head = encodeHeaderBlock(Headers.flatten(res.headers));
          const send = (bytes: Uint8Array | null) => {
            // The host copies the buffer; slice only a view that covers part of one.
            const whole = bytes !== null && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
            const buf = bytes === null ? null : whole ? bytes.buffer : bytes.slice().buffer;
            bridge.respond(id, res.status, res.statusText, head, buf as ArrayBuffer | null);
          };
          // A buffered body answers in this turn, in one piece; a stream body is streamed out.
          const body = Response.takeBodyOrStream(res);
          if (body === null || body instanceof Uint8Array) return send(body);
          return streamOut(id, res, head, body);
        })
        .catch((err) => bridge.fail(id, ...errorParts(err)));
    },

    fireTimer(id) {
      fireTimer(id);
    },

    cancelResponse(id) {
      const reader = streaming.get(id);
      streaming.delete(id);
      void reader?.cancel(new TypeError("the client went away")).catch(() => undefined);
    },

    evaluate(id, source) {
      const fail = (err: unknown) => {
        const [message, stack] = errorParts(err);
        const clean = userStack(stack);
        bridge.complete(id, false, clean.startsWith(message) ? clean : `${message}\n${clean}`.trimEnd());
      };
      let value: unknown;
      try {
        // Indirect eval: global scope, so `var x = 1` persists between REPL lines.
        // biome-ignore lint/security/noGlobalEval: evaluating the user's code is what `nano eval` and the REPL do.
        const globalEval = globalThis.eval;
        value = globalEval(source);
      } catch (err) {
        fail(err);
        return;
      }
      if (value instanceof Promise) value.then((v) => bridge.complete(id, true, inspect(v)), fail);
      else bridge.complete(id, true, inspect(value));
    },
  };
}
