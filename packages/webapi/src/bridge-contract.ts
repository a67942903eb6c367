/**
 * The seam between the host and the runtime script: the host functions handed to `__nano_init`
 * (in this order) and the entry points the runtime hands back. Shared by the in-isolate tree and the
 * host, so it must not use Node or DOM types.
 */

/** Host functions, passed positionally to `__nano_init` as isolated-vm Callbacks. */
export const BRIDGE_FUNCTIONS = [
  "log",
  "setTimer",
  "clearTimer",
  "respond",
  "fail",
  "complete",
  "crypto",
  "fetchStart",
  "fetchPull",
  "fetchAbort",
  "fetchBodyChunk",
  "respondStream",
  "respondChunk",
  "respondEnd",
  "kv",
  "lazySource",
  "respondSocket",
  "socketSend",
  "socketClose",
] as const;

export type BridgeFunctionName = (typeof BRIDGE_FUNCTIONS)[number];

export type LogLevel = "debug" | "log" | "info" | "warn" | "error";

/**
 * Headers cross the isolate boundary as one string, "name\nvalue\nname\nvalue…": a primitive passes
 * without a structured copy. Neither a header name nor a value can contain a line feed.
 */
export function encodeHeaderBlock(flat: readonly string[]): string {
  return flat.join("\n");
}

export function decodeHeaderBlock(block: string): string[] {
  return block === "" ? [] : block.split("\n");
}

/** Response head and buffered body as the runtime reports it. */
export interface BridgeFunctions {
  log(level: LogLevel, text: string): void;
  setTimer(id: number, delayMs: number): void;
  clearTimer(id: number): void;
  respond(id: number, status: number, statusText: string, headerBlock: string, body: ArrayBuffer | null): void;
  fail(id: number, message: string, stack: string): void;
  complete(id: number, ok: boolean, text: string): void;
  /** Request `id`'s response head; its body (a stream) follows through respondChunk and respondEnd. */
  respondStream(id: number, status: number, statusText: string, headerBlock: string): void;
  /** One chunk of a streamed body; false: the host holds enough, wait for pullResponse before the next. */
  respondChunk(id: number, bytes: ArrayBuffer): boolean;
  /** Request `id`'s streamed body ended: completely (""), or with this error message. */
  respondEnd(id: number, error: string): void;
  /**
   * Request `id` answers 101 with a WebSocket: the host takes the client end and returns its socket id
   * (0: refused, the request had already failed). Messages then cross through socketSend/socketClose
   * out, and the socketMessage/socketClosed entries in.
   */
  respondSocket(id: number, statusText: string, headerBlock: string): number;
  /** One message to host socket `socket`'s client; "" when sent, else why not (the runtime throws it). */
  socketSend(socket: number, data: string | ArrayBuffer): string;
  /** Closes host socket `socket` with a close frame (code 1000 or 1007–1014 or 3000–4999, reason ≤ 123 bytes). */
  socketClose(socket: number, code: number, reason: string): void;
  /** The source of a rarely used family the runtime loads on first use (LAZY_SCRIPTS), or null. */
  lazySource(name: string): string | null;
  /**
   * WebCrypto's host half (packages/worker/src/isolate/crypto-bridge.ts). `params` is a bare string for
   * random/digest/release, else JSON whose byte members are indices into `data`. Keys stay on the host;
   * the isolate holds numeric handles. Throws `Error("<DOMException name>" + CRYPTO_ERROR_SEPARATOR + message)`.
   */
  crypto(op: CryptoOp, params: string, ...data: ArrayBuffer[]): ArrayBuffer | string | boolean | undefined;
  /**
   * Starts outbound fetch `id` on the host (packages/worker/src/isolate/fetch-bridge.ts), which answers
   * through the fetchHead/fetchChunk/fetchEnd entries. Returns "" if it started, else why it was refused.
   */
  fetchStart(
    id: number,
    method: string,
    url: string,
    headerBlock: string,
    body: ArrayBuffer | null,
    redirect: string,
    /** The body is a stream: the host asks for it chunk by chunk (fetchBodyPull → fetchBodyChunk). */
    streamedBody?: boolean,
    /** "" for the network; "assets" for `env.ASSETS.fetch` (the app's static assets, no network). */
    target?: string,
  ): string;
  /** The next chunk of fetch `id`'s streamed request body (null: it ended, or failed with `error`). */
  fetchBodyChunk(id: number, bytes: ArrayBuffer | null, error: string): void;
  /** The response body's stream wants one more chunk (one fetchChunk or fetchEnd answers). */
  fetchPull(id: number): void;
  /** The fetch was aborted or its body canceled: the host stops it and enters nothing more for it. */
  fetchAbort(id: number): void;
  /**
   * One operation on the KV namespace bound as `binding` (packages/worker/src/isolate/kv-bridge.ts).
   * `options` is JSON (put: expiration, expirationTtl, metadata as JSON text; list: prefix, limit,
   * cursor). get answers null or the packed value (runtime/kv.ts unpack), list a JSON page, put and
   * delete nothing. Throws `Error("TypeError" | "RangeError" + CRYPTO_ERROR_SEPARATOR + message)`.
   */
  kv(op: KvOp, binding: string, key: string, options: string, value?: ArrayBuffer): ArrayBuffer | string | null;
}

export type KvOp = "get" | "put" | "delete" | "list";

export type CryptoOp =
  | "random"
  | "digest"
  | "release"
  | "generateKey"
  | "importKey"
  | "exportKey"
  | "sign"
  | "verify"
  | "encrypt"
  | "decrypt"
  | "deriveBits"
  | "deriveKey"
  | "wrapKey"
  | "unwrapKey";

/** Starts a scheduled run's `complete` text when its handler called noRetry(). */
export const SCHEDULED_NO_RETRY = "\u0000noRetry\n";

/** Separates the error name from the message in errors thrown by the `crypto` bridge function. */
export const CRYPTO_ERROR_SEPARATOR = "\u001f";

/** Entry points the runtime returns from `__nano_init`; the host keeps References to them. */
export const ENTRY_POINTS = [
  "loadApp",
  "fetch",
  "fireTimer",
  "evaluate",
  "fetchHead",
  "fetchChunk",
  "fetchEnd",
  "fetchBodyPull",
  "cancelResponse",
  "pullResponse",
  "scheduled",
  "socketMessage",
  "socketClosed",
] as const;

export type EntryPointName = (typeof ENTRY_POINTS)[number];

export interface EntryPoints {
  /**
   * Runs after the app script: checks its handler and binds `env` (the vars and secrets in `envJson`,
   * a KV namespace for each binding name in `kvJson`, a JSON array, and the assets binding). Returns
   * "module" or "service-worker".
   */
  /** `assetsBinding`: the `env` name of the static-assets Fetcher ("" or absent: none). */
  loadApp(envJson: string, kvJson?: string, assetsBinding?: string): string;
  /** `cf`: the request's `request.cf` as JSON ("" or absent: an empty object). */
  fetch(id: number, method: string, url: string, headerBlock: string, body: ArrayBuffer | null, cf?: string): void;
  fireTimer(id: number): void;
  evaluate(id: number, source: string): void;
  /**
   * Outbound fetch `id` got its response head (after redirects); `hasBody` false for a null body.
   * `socket`: an `Upgrade: websocket` fetch the server accepted (101): the host socket the response's
   * `webSocket` talks to (the app accept()s it; frames then cross as for an incoming socket).
   */
  fetchHead(
    id: number,
    status: number,
    statusText: string,
    headerBlock: string,
    url: string,
    redirected: boolean,
    hasBody: boolean,
    socket?: number,
  ): void;
  /** One chunk of fetch `id`'s body, answering a fetchPull. */
  fetchChunk(id: number, bytes: ArrayBuffer): void;
  /** Fetch `id` ended: its body is complete (null), or the fetch failed with this message. */
  fetchEnd(id: number, error: string | null): void;
  /** The host wants the next chunk of fetch `id`'s streamed request body (answered by fetchBodyChunk). */
  fetchBodyPull(id: number): void;
  /** The client of request `id` went away: stop reading its streamed response body. */
  cancelResponse(id: number): void;
  /** The host has taken what request `id` streamed so far: produce more (after respondChunk said false). */
  pullResponse(id: number): void;
  /**
   * Runs the app's scheduled handler as invocation `id` for the cron occurrence `scheduledTime` (epoch
   * ms); answered by `complete(id, ok, text)` once it and its waitUntil promises settle: `text` is ""
   * on success, the error's message and stack on failure, after SCHEDULED_NO_RETRY if the handler
   * called `noRetry()`.
   */
  scheduled(id: number, cron: string, scheduledTime: number): void;
  /** A message from the client of host socket `socket` (text as a string, binary as an ArrayBuffer). */
  socketMessage(socket: number, data: string | ArrayBuffer): void;
  /** Host socket `socket` closed: the client's close frame (`clean`), or the connection was lost. */
  socketClosed(socket: number, code: number, reason: string, clean: boolean): void;
}

/** https://w3c.github.io/webcrypto/#dfn-KeyUsage — in the spec's order; both halves of crypto check against it. */
export const KEY_USAGES = [
  "encrypt",
  "decrypt",
  "sign",
  "verify",
  "deriveKey",
  "deriveBits",
  "wrapKey",
  "unwrapKey",
] as const;

export type KeyUsage = (typeof KEY_USAGES)[number];

/** Global the runtime script defines and the host removes after use. */
export const INIT_GLOBAL = "__nano_init";
/** Global the app script calls with its module factory; removed before any app code runs. */
export const DEFINE_GLOBAL = "__nano_define";

/**
 * Passed to `__nano_define` after the bundler's factory: it takes the `cloudflare:workers` module and
 * returns the entry's exports (a factory without it takes CommonJS's `module, exports`).
 */
export const APP_FACTORY_ABI = 2;

/**
 * The names `cloudflare:workers` exports: the bundler resolves the specifier to a module that reads
 * them from the object the runtime passes to the app's factory (runtime/cloudflare-workers.ts).
 */
export const CLOUDFLARE_WORKERS_EXPORTS = [
  "WorkerEntrypoint",
  "DurableObject",
  "RpcTarget",
  "RpcStub",
  "WorkflowEntrypoint",
  "env",
  "waitUntil",
] as const;
