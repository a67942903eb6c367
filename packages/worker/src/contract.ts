import type { MessagePort } from "node:worker_threads";
import type { AssetServerSpec } from "./assets/asset-server.js";

/**
 * The messages the pool side (main thread) and the thread side (inside Piscina) exchange. Neither side
 * imports the other; both import this. Everything here must survive structured clone.
 */

export interface AppLimits {
  /** V8 heap limit of the app's isolate. */
  memoryMb: number;
  /** CPU time one request may use inside the isolate. */
  cpuMs: number;
  /** Wall-clock time one request may take. */
  wallMs: number;
  /** Outbound fetches per request. */
  subrequests: number;
  /** KV operations per invocation (as on Workers, apart from subrequests). */
  kvOperations: number;
  /** WebSockets the app may hold open at once (per runtime process). */
  websockets: number;
}

export const DEFAULT_LIMITS: AppLimits = {
  memoryMb: 128,
  cpuMs: 50,
  wallMs: 30_000,
  subrequests: 50,
  kvOperations: 1000,
  websockets: 1000,
};

/**
 * What an app's outbound `fetch` may reach. Addresses are checked after DNS resolution (at connect)
 * and for IP-literal hosts before connecting, on every redirect hop.
 */
export interface OutboundPolicy {
  /** Allow loopback, private, link-local, CGNAT and other non-public addresses (local development). */
  allowPrivate: boolean;
  /** Addresses or CIDR ranges ("10.0.0.5", "10.1.0.0/16") allowed even though they are not public. */
  allowAddresses?: string[];
}

export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = { allowPrivate: false };

/** CPU time the app's top-level code may use when its isolate starts (Workers allows ~400 ms–1 s). */
export const STARTUP_CPU_MS = 1_000;

/**
 * One deployed version as the threads see it. Code and code cache travel as SharedArrayBuffers, so
 * sending the version with every task costs a handle, not a copy; a warm thread never reads them.
 */
export interface VersionWire {
  /** `app@version`: the key of warm isolates. */
  id: string;
  app: string;
  code: SharedArrayBuffer;
  cachedData: SharedArrayBuffer | null;
  vars: Record<string, string>;
  /** KV bindings: binding name → namespace. */
  kv: Record<string, string>;
  limits: AppLimits;
  /**
   * Static assets: the `env` binding's name and the version's asset index as JSON bytes (control-plane
   * assets/asset-index.ts); absent or null: none.
   */
  assets?: { binding: string; index: SharedArrayBuffer } | null;
}

/** The request in flat form, read straight from the Node request: headers as [name, value, …]. */
export interface RequestWire {
  requestId: string;
  method: string;
  url: string;
  headers: string[];
  body: ArrayBuffer | null;
  /** The app's `request.cf`, as JSON (made by the ingress); absent: an empty object. */
  cf?: string;
}

export interface LogRecord {
  level: "debug" | "log" | "info" | "warn" | "error";
  msg: string;
  time: number;
  /** For the operator's log only, never the app's: the full stack with host frames. */
  hostStack?: string;
}

export interface ResponseWire {
  status: number;
  statusText: string;
  headers: string[];
  body: ArrayBuffer | null;
}

export interface FetchTask {
  kind: "fetch";
  version: VersionWire;
  request: RequestWire;
}

/** One cron occurrence of an app, run in a thread like a request (with the app's limits). */
export interface ScheduledTask {
  kind: "scheduled";
  version: VersionWire;
  cron: string;
  /** Epoch milliseconds of the occurrence. */
  scheduledTime: number;
}

export interface ScheduledResult {
  /** Null: the handler and its waitUntil promises succeeded. */
  error: { code: string; message: string } | null;
  /** The handler called `noRetry()` (NANO never retries; recorded). */
  noRetry: boolean;
  logs: LogRecord[];
  logsDropped?: number;
  cpuMs: number;
  coldStart: boolean;
  kvOps?: Record<string, number>;
}

/**
 * A Piscina task that asks a thread for its request channel (see pool/thread-channel.ts). `arrived`
 * counts the connect tasks that reached a thread; each waits (bounded) for all `of` of them, so
 * Piscina's balancer hands one to every thread.
 */
export interface ConnectTask {
  kind: "connect";
  arrived: SharedArrayBuffer;
  of: number;
}

/** The answer to a ConnectTask: the thread's channel, the first time it is asked. */
export interface ConnectResult {
  threadId: number;
  port: MessagePort | null;
  /** The thread's spare state, written by the thread and read by the pool (see SPARE_STATE). */
  state: SharedArrayBuffer | null;
}

/**
 * Slots of a thread's spare state (an Int32Array over ConnectResult.state): its ready spares, and 1
 * while it is making one (the thread is then busy for ~8 ms). The pool sends a never-seen app to a
 * thread with a spare ready that is not making one.
 */
export const SPARE_STATE = { spares: 0, making: 1, length: 2 } as const;

/** Requests on a thread's channel, in batches: each answer comes back on its own as it is ready. */
export type ChannelRequest = { id: number; task: FetchTask };
export type ChannelAnswer = { id: number; result: FetchResult | null; error: string | null };

/**
 * A streamed response body crossing from a worker thread: the reading side posts PULL_BODY for each
 * chunk it wants and gets one BodyMessage back: an ArrayBuffer chunk, or `{ end: true, error }` last.
 * So chunks cross only as fast as the client takes them. Closing the port from the reading side
 * cancels the app's stream.
 */
export type BodyMessage = ArrayBuffer | { end: true; error: string | null };
export const PULL_BODY = "pull";

/**
 * Bodies at least this large cross between threads transferred; smaller ones are copied, which costs
 * less than detaching a buffer (measured: ~3 µs more per message to transfer 11 bytes, even at ~4 KiB).
 */
export const TRANSFER_MIN_BYTES = 4096;

/**
 * A WebSocket crossing between a worker thread and the runtime process, on a port of its own, in
 * order. From the runtime process: ["m", data] a client message, ["c", code, reason, clean] the client
 * closed (clean: its close frame; else the connection was lost), ["w", bytes] that many bytes the app
 * sent have been written to the client (the app's send backpressure). From the thread: ["m", data] a
 * message from the app, ["c", code, reason] the app's close (or 1011 when a limit stopped its
 * isolate), ["l", records] the console output of the app's socket entries, ["a", n, cpuMs] n client messages have entered the isolate (the client's backpressure) and
 * what they used, ["k", code, reason, errorCode] a limit stopped the app's isolate (the client is closed
 * with `code`, 1011).
 */
export type SocketMessage =
  | ["m", string | ArrayBuffer]
  | ["c", number, string, boolean?]
  | ["a", number, number]
  | ["k", number, string, string]
  | ["l", LogRecord[]]
  | ["w", number];

export interface FetchResult {
  /** `body` null with `bodyPort` set: the body streams through that port (BodyMessage). */
  response: ResponseWire | null;
  bodyPort?: MessagePort;
  /** Status 101: the app's WebSocket, whose frames cross through this port (SocketMessage). */
  webSocketPort?: MessagePort;
  error: { code: string; message: string; stack?: string } | null;
  logs: LogRecord[];
  /** Console records dropped over the per-record, per-request and per-isolate bounds. */
  logsDropped?: number;
  /** Times the app's background work (outside requests) went over its CPU budget and was stopped. */
  backgroundStops?: number;
  /** CPU time spent inside the isolate for this request. */
  cpuMs: number;
  /** Whether this request had to start the isolate. */
  coldStart: boolean;
  /** KV operations by kind (get, put, delete, list) the app made since its last result. */
  kvOps?: Record<string, number>;
}

/**
 * What a thread holds, posted to the pool every ISOLATE_STATS_EVERY_MS while it changes (Piscina hands
 * a thread's own messages to the pool's "message" event).
 */
export interface IsolateStatsMessage {
  isolateStats: {
    thread: number;
    warm: number;
    spare: number;
    heapBytes: number;
    evictions: Record<string, number>;
    starts: { spare: number; fresh: number; ms: number };
  };
}
export const ISOLATE_STATS_EVERY_MS = 250;

/** Given to each thread through Piscina's workerData. */
export interface ThreadData {
  snapshot: SharedArrayBuffer;
  /** How many isolates (and their memory) a thread keeps warm before evicting the least recently used. */
  maxWarmIsolates: number;
  /** Isolates each thread keeps restored and bridged, waiting for a cold app. */
  spareIsolates: number;
  /** The heap this thread's warm isolates may hold (its share of the pool's budget); null: no bound. */
  warmMemoryBytes: number | null;
  /** A warm isolate unused this long is disposed. */
  warmIdleMs: number;
  /** What the apps' outbound fetches may reach. */
  outbound: OutboundPolicy;
  /** The runtime process's flight-recorder file (which app each thread is entering), if any. */
  recorderPath: string | null;
  /**
   * Where KV lives: a module the thread imports (its `createKvStore(options)` opens the thread's own
   * KvStore), so the worker package needs no storage driver. Null: no KV (bindings fail loudly).
   */
  kv: KvStoreSpec | null;
  /** The asset server behind `env.ASSETS` (see assets/asset-server.ts); null or absent: none. */
  assets?: AssetServerSpec | null;
}

export interface KvStoreSpec {
  /** A file URL. */
  module: string;
  options: Record<string, unknown>;
}
