// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * The functions the host calls into (see ../bridge-contract.ts). Each reports back through a bridge
 * callback rather than a return value, so a handler that awaits timers completes on a later entry.
 *
 * Everything here runs after app code has: it uses primordials only (see primordials.ts), reads a
 * Response's state through the runtime's own accessors (not the getters an app can redefine) and
 * encodes the head with header-block.ts, which checks every name and value on the way out.
 */
import { type BridgeFunctions, type EntryPoints, SCHEDULED_NO_RETRY } from "../bridge-contract.js";
import { type AppHandler, checkResponse, type ExecutionContext } from "./app-handler.js";
import { createAssetsBinding } from "./assets-binding.js";
import type { Fetch } from "./fetch.js";
import { decodeHeaderBlock, encodeHeaderBlock } from "./header-block.js";
import { flattenHeaders } from "./headers.js";
import { inspect } from "./inspect.js";
import { createKvBindings } from "./kv.js";
import {
  ArrayBuffer as ArrayBufferCtor,
  ArrayBufferPrototypeGetByteLength,
  copyBytes,
  Error as ErrorCtor,
  isInstanceOf,
  isUint8Array,
  JSONParse,
  ObjectKeys,
  Promise as PromiseCtor,
  PromisePrototypeCatch,
  PromisePrototypeThen,
  PromiseResolve,
  RegExpPrototypeExec,
  regExpTest,
  SafeMap,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
  StringPrototypeTrimEnd,
  stringJoin,
  stringSplit,
  TypedArrayPrototypeGetBuffer,
  TypeError,
  wholeBuffer,
} from "./primordials.js";
import { type Request, requestFromHost } from "./request.js";
import { responseHead, responseWebSocket, takeResponseBody } from "./response.js";
import { ScheduledController } from "./scheduled.js";
import {
  type ReadableStream,
  type ReadableStreamDefaultReader,
  ReadableStreamDefaultReaderPrototypeCancel,
  ReadableStreamDefaultReaderPrototypeRead,
  ReadableStreamPrototypeGetReader,
  type ReadableStreamReadResult,
} from "./streams.js";
import { checkWebSocketHandOff, handOffWebSocket, socketClosed, socketMessage } from "./websocket.js";

// Captured before app code can replace it: `nano eval` and the REPL evaluate with the real one.
// biome-ignore lint/security/noGlobalEval: evaluating the user's code is what `nano eval` and the REPL do.
const globalEval = globalThis.eval;

const EVAL_FRAME = /\(eval at evaluate \([^)]*\), (<anonymous>:\d+:\d+)\)/;
const RUNTIME_FRAME = /nano:runtime|^\s+at eval \(<anonymous>\)$/;

/** Drops the runtime's own frames, so a stack shows only the user's code. */
function userStack(stack: string): string {
  const lines = stringSplit(stack, "\n");
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    const m = RegExpPrototypeExec(EVAL_FRAME, line);
    if (m !== null) {
      line = `${StringPrototypeSlice(line, 0, m.index)}(${m[1]})${StringPrototypeSlice(line, m.index + m[0].length)}`;
    }
    if (!regExpTest(RUNTIME_FRAME, line)) kept[kept.length] = line;
  }
  return stringJoin(kept, "\n");
}

/** [message, stack] of what the app threw. Never throws (an app's error may have throwing getters). */
function errorParts(err: unknown): [string, string] {
  try {
    if (isInstanceOf(err, ErrorCtor)) {
      const e = err as Error;
      const stack = e.stack;
      return [`${e.name}: ${e.message}`, typeof stack === "string" ? stack : ""];
    }
    return [`Uncaught ${inspect(err)}`, ""];
  } catch {
    return ["Uncaught exception (describing it threw)", ""];
  }
}

const noop = () => undefined;

/**
 * Runs a scheduled invocation to its end: the handler, then every promise it passed to waitUntil (as
 * on Workers, they decide the outcome too). Never rejects: the host hears `complete` either way.
 */
async function runScheduled(
  bridge: BridgeFunctions,
  app: AppHandler,
  id: number,
  controller: ScheduledController,
  retry: () => boolean,
): Promise<void> {
  const pending: unknown[] = [];
  const ctx: ExecutionContext = {
    waitUntil(p: unknown) {
      pending[pending.length] = p;
    },
    passThroughOnException() {},
  };
  try {
    await app.scheduled(controller, ctx);
    for (let i = 0; i < pending.length; i++) await pending[i];
  } catch (err) {
    const parts = errorParts(err);
    const stack = userStack(parts[1]);
    const text = StringPrototypeStartsWith(stack, parts[0]) ? stack : StringPrototypeTrimEnd(`${parts[0]}\n${stack}`);
    bridge.complete(id, false, retry() ? text : SCHEDULED_NO_RETRY + text);
    return;
  }
  bridge.complete(id, true, retry() ? "" : SCHEDULED_NO_RETRY);
}

/** Reports evaluation `id` failed with `err`: its message and the user's own stack frames. */
function failEvaluation(bridge: BridgeFunctions, id: number, err: unknown): void {
  const parts = errorParts(err);
  const message = parts[0];
  const clean = userStack(parts[1]);
  bridge.complete(
    id,
    false,
    StringPrototypeStartsWith(clean, message) ? clean : StringPrototypeTrimEnd(`${message}\n${clean}`),
  );
}

// The stream-out helpers are module functions, not closures made per response: the bundle names
// closures as they are made (esbuild's keepNames, through Object.defineProperty with a plain
// descriptor), which an app that put `get` or `set` on Object.prototype would make throw.

function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<unknown>> {
  return ReadableStreamDefaultReaderPrototypeRead(reader) as Promise<ReadableStreamReadResult<unknown>>;
}

/** A copy of just the chunk's bytes: the host copies the buffer it is given, whole. */
function chunkBuffer(value: unknown): ArrayBuffer {
  if (!isUint8Array(value)) throw new TypeError("a response body stream must yield Uint8Array chunks");
  return TypedArrayPrototypeGetBuffer(copyBytes(value));
}

/** Hands one chunk to the host; false: it holds enough, wait for pullResponse before reading on. */
function sendChunk(bridge: BridgeFunctions, id: number, bytes: ArrayBuffer): boolean {
  return ArrayBufferPrototypeGetByteLength(bytes) === 0 || bridge.respondChunk(id, bytes) !== false;
}

export function createEntryPoints(
  bridge: BridgeFunctions,
  app: AppHandler,
  fireTimer: (id: number) => void,
  assetsFetch: Fetch,
): Omit<EntryPoints, "fetchHead" | "fetchChunk" | "fetchEnd" | "fetchBodyPull"> {
  /** Readers of responses being streamed out, by request id, so a client that leaves can cancel them. */
  const streaming = new SafeMap<number, ReadableStreamDefaultReader<Uint8Array>>();
  /** Streams paused because the host holds enough of them: resumed by pullResponse. */
  const paused = new SafeMap<number, () => void>();
  const fail = (id: number, err: unknown) => {
    const parts = errorParts(err);
    bridge.fail(id, parts[0], parts[1]);
  };
  /** A waitUntil promise's rejection reaches the app's log (ctx.waitUntil and cloudflare:workers' own). */
  const waitUntil = (p: unknown) => {
    PromisePrototypeCatch(PromiseResolve(p), (err) => {
      bridge.log("error", `waitUntil: ${errorParts(err)[0]}`);
    });
  };
  /**
   * Streams a response body to the host chunk by chunk. The head waits for the first chunk, so a stream
   * that fails before producing anything still answers 500 (the caller's catch); after that a failure
   * ends the body early. When respondChunk answers false the host holds enough: reading waits for
   * pullResponse(id).
   *
   * Written with `await` on native promises only, never returning a promise from an async function or
   * a `then` callback: resolving a promise with a promise looks up `then`, which an app can replace.
   */
  const streamOut = async (
    id: number,
    status: number,
    statusText: string,
    head: string,
    stream: ReadableStream<Uint8Array>,
  ): Promise<void> => {
    const reader = ReadableStreamPrototypeGetReader(stream);
    const first = await readChunk(reader);
    if (first.done) {
      bridge.respond(id, status, statusText, head, new ArrayBufferCtor(0));
      return;
    }
    const firstBytes = chunkBuffer(first.value);
    bridge.respondStream(id, status, statusText, head);
    streaming.set(id, reader);
    try {
      let more = sendChunk(bridge, id, firstBytes);
      for (;;) {
        if (!more) await new PromiseCtor<void>((resume) => paused.set(id, resume));
        const result = await readChunk(reader);
        if (result.done) break;
        more = sendChunk(bridge, id, chunkBuffer(result.value));
      }
      streaming.delete(id);
      bridge.respondEnd(id, "");
    } catch (err) {
      streaming.delete(id);
      paused.delete(id);
      void PromisePrototypeCatch(ReadableStreamDefaultReaderPrototypeCancel(reader, err), noop);
      bridge.respondEnd(id, errorParts(err)[0]);
    }
  };

  /** Runs request `id` through the app and hands its answer to the host. Never rejects. */
  const respondTo = async (id: number, request: Request, ctx: ExecutionContext): Promise<void> => {
    try {
      const res = checkResponse(await app.handle(request, ctx));
      const state = responseHead(res);
      const status = state.status;
      const statusText = state.statusText;
      const head = encodeHeaderBlock(flattenHeaders(state.headers));
      const webSocket = responseWebSocket(res);
      if (webSocket !== null) {
        // 101 with the client end of a pair: the host takes that end and answers with its socket id.
        checkWebSocketHandOff(webSocket);
        handOffWebSocket(webSocket, bridge.respondSocket(id, statusText, head));
        return;
      }
      // A buffered body answers in this turn, in one piece; a stream body is streamed out.
      const body = takeResponseBody(res);
      if (body === null || isUint8Array(body)) {
        // The host copies the buffer; a view over part of one is copied to fit first.
        bridge.respond(id, status, statusText, head, body === null ? null : wholeBuffer(body));
        return;
      }
      await streamOut(id, status, statusText, head, body);
    } catch (err) {
      fail(id, err);
    }
  };
  return {
    loadApp(envJson, kvJson, assetsBinding) {
      const env = JSONParse(envJson) as Record<string, unknown>;
      const kv = createKvBindings(bridge.kv, kvJson ? (JSONParse(kvJson) as string[]) : []);
      const names = ObjectKeys(kv);
      for (let i = 0; i < names.length; i++) env[names[i] as string] = kv[names[i] as string];
      if (typeof assetsBinding === "string" && assetsBinding !== "")
        env[assetsBinding] = createAssetsBinding(assetsFetch);
      return app.load(env, waitUntil);
    },

    fetch(id, method, url, headerBlock, body, cfJson) {
      let request: Request;
      try {
        // Every incoming request has a `cf` object, as on Workers (the ingress fills it).
        const cf = (cfJson ? JSONParse(cfJson) : {}) as Record<string, unknown>;
        request = requestFromHost(method, url, decodeHeaderBlock(headerBlock), body, cf);
      } catch (err) {
        // Answered at once: an exception escaping the entry would leave the request to its wall limit.
        fail(id, err);
        return;
      }
      const ctx: ExecutionContext = {
        waitUntil(p: unknown) {
          waitUntil(p);
        },
        passThroughOnException() {},
      };
      void respondTo(id, request, ctx);
    },

    fireTimer(id) {
      fireTimer(id);
    },

    scheduled(id, cron, scheduledTime) {
      let retry = true;
      const controller = new ScheduledController(cron, scheduledTime, () => {
        retry = false;
      });
      void runScheduled(bridge, app, id, controller, () => retry);
    },

    cancelResponse(id) {
      const reader = streaming.get(id);
      streaming.delete(id);
      // A paused stream stays paused: its pending read chain is dropped with the reader.
      paused.delete(id);
      if (reader !== undefined) {
        void PromisePrototypeCatch(
          ReadableStreamDefaultReaderPrototypeCancel(reader, new TypeError("the client went away")),
          noop,
        );
      }
    },

    socketMessage(socket, data) {
      socketMessage(socket, data);
    },

    socketClosed(socket, code, reason, clean) {
      socketClosed(socket, code, reason, clean);
    },

    pullResponse(id) {
      const resume = paused.get(id);
      if (resume === undefined) return;
      paused.delete(id);
      resume();
    },

    evaluate(id, source) {
      let value: unknown;
      try {
        // Indirect eval: global scope, so `var x = 1` persists between REPL lines.
        value = globalEval(source);
      } catch (err) {
        failEvaluation(bridge, id, err);
        return;
      }
      if (isInstanceOf(value, PromiseCtor)) {
        try {
          PromisePrototypeThen(
            value as Promise<unknown>,
            (v) => bridge.complete(id, true, inspect(v)),
            (err) => failEvaluation(bridge, id, err),
          );
          return;
        } catch {
          // Not a real promise after all (an object made from Promise.prototype): shown as it is.
        }
      }
      bridge.complete(id, true, inspect(value));
    },
  };
}
