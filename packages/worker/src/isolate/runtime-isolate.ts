/**
 * One isolate started from the runtime snapshot, with the host bridges bound. It runs an app (load,
 * then requests) or bare evaluations (`nano eval`, the REPL, deploy checks). Every entry into the
 * isolate is synchronous (`applySync`, ~5 µs) with a timeout; handlers that wait on timers finish on a
 * later entry and report through the `respond`/`complete` bridges. Its parts: entry-runner.ts (every
 * entry and its CPU), response-bridge.ts (the answers), isolate-logs.ts (the console),
 * isolate-timers.ts (the app's timers), pending-request.ts (a request in flight).
 */

import { getHeapStatistics } from "node:v8";
import {
  BRIDGE_FUNCTIONS,
  type BridgeFunctions,
  ENTRY_POINTS,
  type EntryPointName,
  encodeHeaderBlock,
  INIT_GLOBAL,
  LAZY_SCRIPTS,
} from "@nano/webapi";
import ivm from "isolated-vm";
import type { AssetServer } from "../assets/asset-server.js";
import {
  DEFAULT_LIMITS,
  type LogRecord,
  type OutboundPolicy,
  type RequestWire,
  type ResponseWire,
} from "../contract.js";
import { NanoError } from "../errors.js";
import { KV_LIMITS, type KvStore } from "../kv/kv-store.js";
import { type EntryRecorder, NO_RECORDER } from "../thread/flight-recorder.js";
import { CpuShare } from "./cpu-share.js";
import { type CryptoHost, createCryptoHost } from "./crypto-bridge.js";
import { type EntryRef, EntryRunner, NS_PER_MS } from "./entry-runner.js";
import { FetchBridge } from "./fetch-bridge.js";
import type { HostBodyStream } from "./host-body-stream.js";
import { errorText, IsolateLogs } from "./isolate-logs.js";
import { IsolateTimers } from "./isolate-timers.js";
import { KvBridge } from "./kv-bridge.js";
import { type Pending, pendingRequest } from "./pending-request.js";
import { ResponseBridge } from "./response-bridge.js";
import { type HostSocket, WebSocketBridge } from "./websocket-bridge.js";

export interface RuntimeIsolateOptions {
  snapshot: ivm.ExternalCopy<ArrayBuffer>;
  memoryMb: number;
  /** What the app's outbound fetches may reach (default: public addresses only). */
  outbound?: OutboundPolicy;
  /** Console output that belongs to no running request (top level, stray timers). */
  onLog?: (record: LogRecord) => void;
  /** Console output that belongs to no request and was dropped over the isolate's console rate. */
  onLogDropped?: () => void;
  /** Background work went over its CPU budget and its timers were cleared. */
  onBackgroundStopped?: () => void;
  /** Called once when the isolate is killed by a limit or disposed. */
  onDispose?: (reason: NanoError) => void;
  /** Its last open WebSocket closed (an isolate is never evicted or retired under open sockets). */
  onSocketsIdle?: () => void;
  /** Marks every synchronous entry (the runtime process's flight recorder). */
  recorder?: EntryRecorder;
  /** The calling thread's CPU share, which sizes entry timeouts; default: this isolate's own. */
  cpuShare?: CpuShare;
  /** Where the app's KV namespaces are stored (the thread's connection); null: no KV. */
  kv?: KvStore | null;
  /** The thread's asset server (`env.ASSETS`); null: no assets binding works. */
  assets?: AssetServer | null;
  /** An isolate and context already made from `snapshot` (RuntimeIsolate.create); default: made now. */
  prepared?: { isolate: ivm.Isolate; context: ivm.Context };
}

export interface LoadedApp {
  kind: "module" | "service-worker";
  /** V8 code cache produced by this compile, for the next isolates of this version. */
  cachedData: ArrayBuffer | null;
}

export interface FetchOutcome {
  /** With `body` null when the app streams its body: then `stream` carries it. */
  response: ResponseWire;
  stream?: HostBodyStream;
  /** A 101 answer's WebSocket: the caller attaches the client connection to it. */
  socket?: HostSocket;
  logs: LogRecord[];
  /** Console records dropped over the bounds (console-budget.ts). */
  logsDropped: number;
  cpuMs: number;
}

/** WebSockets (incoming and outbound) one isolate may hold open: each holds host memory and a connection. */
const MAX_SOCKETS = 10_000;

/**
 * isolated-vm checks the ArrayBuffers allocated while a context is restored from the snapshot against
 * the heap of the *calling* thread's isolate (Isolate::GetCurrent()), and aborts the process when that
 * heap is larger than the new isolate's limit (measured: a 186 MB host heap and a 128 MB isolate). So
 * the limit is never below the calling thread's heap plus a margin; it is the app's own limit whenever
 * the thread's heap is smaller than that, as it is in worker threads.
 */
function creationLimitMb(memoryMb: number): number {
  const hostMb = Math.ceil(getHeapStatistics().total_heap_size / 1048576);
  return Math.max(memoryMb, hostMb + 32);
}

export class RuntimeIsolate {
  readonly isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #entries: Record<EntryPointName, EntryRef>;
  #opts: RuntimeIsolateOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #timers: IsolateTimers;
  #nextId = 1;
  #dead: NanoError | null = null;
  /** Every synchronous entry into the isolate, and whose it is. */
  readonly #runner: EntryRunner;
  readonly #logs: IsolateLogs;
  /** Answers to requests, and the bodies they stream out. */
  readonly #responses: ResponseBridge;
  readonly #host: BridgeFunctions;
  /** This isolate's CryptoKeys (host KeyObjects behind the handles the isolate holds). */
  readonly #crypto: CryptoHost;
  /** This isolate's outbound fetches, performed on the host. */
  readonly #outbound: FetchBridge;
  /** This isolate's KV operations, performed on the host. */
  readonly #kv: KvBridge;
  /** The loaded version's asset index (for `env.ASSETS`), or null. */
  #assetIndex: SharedArrayBuffer | null = null;
  /** This isolate's WebSockets (their client ends are in the runtime process). */
  readonly #sockets: WebSocketBridge;
  /** The app's limits.websockets, from its latest invocation: bounds its open outbound sockets. */
  #websocketLimit = DEFAULT_LIMITS.websockets;
  /** CPU time the app's top-level code may use when its isolate starts. */
  #startupBudgetMs = 1_000;
  readonly #share: CpuShare;
  /** Lazy scripts already handed to this isolate (lazySource). */
  readonly #lazyServed = new Set<string>();

  constructor(opts: RuntimeIsolateOptions) {
    this.#opts = opts;
    this.#share = opts.cpuShare ?? new CpuShare();
    // Key material lives on the host, outside the heap limit: it gets a quarter of the app's limit.
    this.#crypto = createCryptoHost({ maxBytes: Math.max(1, opts.memoryMb / 4) * 1048576 });
    if (opts.prepared) {
      this.isolate = opts.prepared.isolate;
      this.#context = opts.prepared.context;
    } else {
      this.isolate = new ivm.Isolate({ snapshot: opts.snapshot, memoryLimit: creationLimitMb(opts.memoryMb) });
      this.#context = this.isolate.createContextSync();
    }
    // No blocking waits, as on Workers: Atomics.wait would hold the thread (every app on it) with no
    // CPU to count, and stretch the CPU-share timeouts of the isolates beside it.
    this.#context.evalSync("delete Atomics.wait; delete Atomics.waitAsync");
    const init = this.#context.global.getSync(INIT_GLOBAL, { reference: true }) as ivm.Reference<
      (...args: unknown[]) => unknown
    >;
    this.#runner = new EntryRunner({
      isolate: this.isolate,
      entry: (name) => this.#entries[name],
      share: this.#share,
      recorder: () => this.#opts.recorder ?? NO_RECORDER,
      dead: () => this.#dead,
      pending: (id) => this.#pending.get(id),
      settle: (id) => this.#settle(id),
      kill: (reason) => this.#kill(reason),
      hostNs: () => this.#crypto.hostNs + this.#kv.hostNs,
      budget: (ns) => {
        this.#crypto.budget(ns);
        this.#kv.budget(ns);
      },
      uncaught: (err, owner) => this.#logs.uncaught(err, owner === null ? undefined : this.#pending.get(owner)),
      stopBackground: () => this.#timers.stopBackground(),
    });
    this.#logs = new IsolateLogs({
      owner: () => (this.#runner.current === null ? undefined : this.#pending.get(this.#runner.current)),
      socket: () => this.#runner.socketEntry,
      onLog: (record) => this.#opts.onLog?.(record),
      onLogDropped: () => this.#opts.onLogDropped?.(),
    });
    this.#timers = new IsolateTimers({
      owner: () => this.#runner.current,
      isPending: (id) => this.#pending.has(id),
      enter: (owner, name, args) => this.#enter(owner, name, args),
      dead: () => this.#dead !== null,
      onLog: (record) => this.#opts.onLog?.(record),
      onBackgroundStopped: () => this.#opts.onBackgroundStopped?.(),
    });
    this.#responses = new ResponseBridge({
      settle: (id) => this.#settle(id),
      openSocket: () => this.#sockets.open(),
      enter: (name, args) => this.#enter(null, name, args),
      dead: () => this.#dead !== null,
    });
    const assetServer = opts.assets ?? null;
    this.#outbound = new FetchBridge({
      ...(opts.outbound ? { policy: opts.outbound } : {}),
      assets: (request) => {
        const index = this.#assetIndex;
        if (assetServer === null || index === null) throw new TypeError("this app has no static assets");
        return assetServer.fetch(index, request);
      },
      owner: () => this.#runner.current,
      // Charged to the request that called fetch while it is pending, like its timers.
      enter: (owner, name, args) => this.#enter(owner !== null && this.#pending.has(owner) ? owner : null, name, args),
      openSocket: () =>
        this.#dead
          ? "the isolate was stopped"
          : this.#sockets.size >= MAX_SOCKETS
            ? `an isolate may hold at most ${MAX_SOCKETS} WebSockets`
            : this.#sockets.outbound >= this.#websocketLimit
              ? `the app has ${this.#sockets.outbound} outbound WebSockets open in this isolate, its limit (limits.websockets)`
              : this.#sockets.open(true),
    });
    this.#kv = new KvBridge({ store: opts.kv ?? null, owner: () => this.#runner.current });
    this.#sockets = new WebSocketBridge({
      // Each message is an entry of its own, charged like a timer (the background budget).
      enter: (name, args, done, socket) => this.#runner.enter(null, name, args, false, done, socket),
      onIdle: () => this.#opts.onSocketsIdle?.(),
    });
    this.#host = this.#bridge();
    const bridge = this.#host;
    const entries = init.applySync(
      undefined,
      [
        ...BRIDGE_FUNCTIONS.map((name) => new ivm.Callback(bridge[name] as (...a: unknown[]) => unknown)),
        opts.memoryMb,
      ],
      { result: { reference: true }, timeout: 1_000 },
    ) as ivm.Reference<Record<string, unknown>>;
    init.release();
    this.#entries = Object.fromEntries(
      ENTRY_POINTS.map((name) => [name, entries.getSync(name, { reference: true })]),
    ) as Record<EntryPointName, EntryRef>;
    entries.release();
  }

  /**
   * Like the constructor, but the context is restored on isolated-vm's own thread pool (about a third
   * of the start-up time): the calling thread is busy only for the isolate itself and the bridges.
   */
  static async create(opts: Omit<RuntimeIsolateOptions, "prepared">): Promise<RuntimeIsolate> {
    const isolate = new ivm.Isolate({ snapshot: opts.snapshot, memoryLimit: creationLimitMb(opts.memoryMb) });
    try {
      const context = await isolate.createContext();
      return new RuntimeIsolate({ ...opts, prepared: { isolate, context } });
    } catch (err) {
      if (!isolate.isDisposed) isolate.dispose();
      throw err;
    }
  }

  /** Re-points the log and dispose hooks: a spare isolate gets them when an app takes it. */
  setHooks(
    hooks: Pick<
      RuntimeIsolateOptions,
      "onLog" | "onLogDropped" | "onBackgroundStopped" | "onDispose" | "onSocketsIdle" | "recorder"
    >,
  ): void {
    this.#opts = { ...this.#opts, ...hooks };
  }

  get alive(): boolean {
    return this.#dead === null;
  }

  /** Requests in flight, bodies still streaming out or open WebSockets: evicting it now would fail them. */
  get busy(): boolean {
    return this.#pending.size > 0 || this.#responses.size > 0 || this.#sockets.size > 0;
  }

  /** Open WebSockets. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Host side of the bridge: every function the runtime may call, bound to this isolate. */
  #bridge(): BridgeFunctions {
    return {
      log: this.#logs.log,
      ...this.#timers.functions,
      ...this.#responses.functions,
      ...this.#sockets.functions,
      crypto: this.#crypto.crypto,
      kv: this.#kv.kv,
      // A name from the isolate picks one of the fixed scripts, nothing else, and each at most once
      // (the runtime keeps what it loaded): the copy into the isolate is host work no request is charged for.
      lazySource: (name) => {
        if (typeof name !== "string" || !Object.hasOwn(LAZY_SCRIPTS, name) || this.#lazyServed.has(name)) return null;
        this.#lazyServed.add(name);
        return LAZY_SCRIPTS[name] ?? null;
      },
      ...this.#outbound.functions,
    };
  }

  #settle(id: number): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    this.#pending.delete(id);
    this.#outbound.end(id);
    this.#kv.end(id);
    if (p.wall) clearTimeout(p.wall);
    return p;
  }

  /** Runs one entry on behalf of `owner` (a pending request, or null): entry-runner.ts. */
  #enter(owner: number | null, name: EntryPointName, args: unknown[]): void {
    this.#runner.enter(owner, name, args);
  }

  /** Compiles and runs the app script, then checks its fetch handler and binds `env`. */
  loadApp(
    code: string,
    opts: {
      filename: string;
      cachedData?: ArrayBuffer | null;
      vars?: Record<string, string>;
      /** KV bindings: binding name → namespace. */
      kv?: Record<string, string>;
      kvOperations?: number;
      /** Static assets: the binding's name and the version's index (VersionWire.assets). */
      assets?: { binding: string; index: SharedArrayBuffer } | null;
    },
  ): LoadedApp {
    let script: ivm.Script;
    try {
      script = this.isolate.compileScriptSync(code, {
        filename: opts.filename,
        ...(opts.cachedData ? { cachedData: new ivm.ExternalCopy(opts.cachedData) } : { produceCachedData: true }),
      });
    } catch (err) {
      throw new NanoError("NANO_ERR_APP_LOAD", errorText(err));
    }
    const produced = (script as ivm.Script & ivm.CachedDataResult).cachedData;
    const cachedData = produced ? produced.copy() : null;
    try {
      return this.#runner.nest(() => {
        this.#crypto.budget(BigInt(this.#startupBudgetMs) * NS_PER_MS);
        script.runSync(this.#context, { timeout: this.#startupBudgetMs });
        this.#kv.bind(opts.kv ?? {}, opts.kvOperations ?? KV_LIMITS.operations);
        const kvNames = JSON.stringify(Object.keys(opts.kv ?? {}));
        this.#assetIndex = opts.assets?.index ?? null;
        const assetsBinding = opts.assets?.binding ?? "";
        const kind = this.#entries.loadApp.applySync(
          undefined,
          [JSON.stringify(opts.vars ?? {}), kvNames, assetsBinding],
          { timeout: this.#startupBudgetMs },
        ) as LoadedApp["kind"];
        return { kind, cachedData };
      });
    } catch (err) {
      // The app's own top-level code ran out of memory: a load failure like any other (a deploy check
      // answers 400), not a limit kill of a serving isolate.
      if (this.isolate.isDisposed)
        throw new NanoError("NANO_ERR_APP_LOAD", "the app exceeded its memory limit while starting");
      const text = errorText(err);
      const code = /no fetch handler|has no `fetch|is not a function/.test(text)
        ? "NANO_ERR_NO_FETCH_HANDLER"
        : "NANO_ERR_APP_LOAD";
      throw new NanoError(code, text);
    } finally {
      script.release();
    }
  }

  /** Runs one request through the app's handler. */
  fetch(
    req: RequestWire,
    limits: { cpuMs: number; wallMs: number; subrequests?: number; websockets?: number },
  ): Promise<FetchOutcome> {
    const id = this.#nextId++;
    this.#websocketLimit = limits.websockets ?? this.#websocketLimit;
    const promise = this.#track(id, limits.cpuMs, limits.wallMs);
    this.#outbound.begin(id, limits.subrequests ?? DEFAULT_LIMITS.subrequests);
    this.#kv.begin(id);
    this.#enter(id, "fetch", [id, req.method, req.url, encodeHeaderBlock(req.headers), req.body, req.cf ?? ""]);
    return promise.then((v) => ({
      response: v.response as ResponseWire,
      ...(v.stream ? { stream: v.stream } : {}),
      ...(v.socket ? { socket: v.socket } : {}),
      logs: v.logs,
      logsDropped: v.logsDropped,
      cpuMs: v.cpuMs(),
    }));
  }

  /**
   * Runs the app's scheduled handler for one cron occurrence, with a request's limits (CPU, wall,
   * subrequests, KV operations). Resolves with its outcome (`text`: the error, or "noRetry");
   * rejects with a NanoError when a limit stops it.
   */
  scheduled(
    cron: string,
    scheduledTime: number,
    limits: { cpuMs: number; wallMs: number; subrequests?: number; websockets?: number },
  ): Promise<{ ok: boolean; text: string; logs: LogRecord[]; logsDropped: number; cpuMs: number }> {
    const id = this.#nextId++;
    this.#websocketLimit = limits.websockets ?? this.#websocketLimit;
    const promise = this.#track(id, limits.cpuMs, limits.wallMs);
    this.#outbound.begin(id, limits.subrequests ?? DEFAULT_LIMITS.subrequests);
    this.#kv.begin(id);
    this.#enter(id, "scheduled", [id, cron, scheduledTime]);
    return promise.then((v) => ({
      ok: Boolean(v.ok),
      text: v.text ?? "",
      logs: v.logs,
      logsDropped: v.logsDropped,
      cpuMs: v.cpuMs(),
    }));
  }

  /** Evaluates source in the global scope; resolves with the inspected value or rejects with the error text. */
  async evaluate(source: string, timeoutMs = 5_000): Promise<{ ok: boolean; text: string; logs: LogRecord[] }> {
    const id = this.#nextId++;
    const promise = this.#track(id, timeoutMs, timeoutMs);
    this.#outbound.begin(id, DEFAULT_LIMITS.subrequests);
    this.#enter(id, "evaluate", [id, source]);
    const v = await promise;
    return { ok: Boolean(v.ok), text: v.text ?? "", logs: v.logs };
  }

  #track(id: number, cpuMs: number, wallMs: number) {
    const { entry, promise } = pendingRequest(cpuMs, wallMs, () =>
      this.#settle(id)?.reject(new NanoError("NANO_ERR_WALL_LIMIT")),
    );
    this.#pending.set(id, entry);
    return promise;
  }

  /** Stops everything in this isolate: its pending requests fail with `reason`, nothing else does. */
  #kill(reason: NanoError): void {
    if (this.#dead) return;
    this.#dead = reason;
    this.#timers.clearAll();
    this.#runner.stop();
    // Its WebSockets' clients hear why: 1011 for a limit kill, 1001 (going away) for a plain dispose.
    const disposed = reason.code === "NANO_ERR_ISOLATE_DISPOSED";
    this.#sockets.abortAll(disposed ? 1001 : 1011, reason.message, disposed ? undefined : reason.code);
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(new NanoError(reason.code, reason.message));
    this.#responses.endAll(reason.message);
    for (const ref of Object.values(this.#entries)) ref.release();
    this.#crypto.clear();
    this.#outbound.abortAll();
    if (!this.isolate.isDisposed) this.isolate.dispose();
    this.#opts.onDispose?.(reason);
  }

  dispose(): void {
    this.#kill(new NanoError("NANO_ERR_ISOLATE_DISPOSED"));
  }

  /** KV operations by kind since the last call (for metrics). */
  takeKvOps(): Record<string, number> {
    return this.#kv.take();
  }

  /** Live CryptoKeys held for this isolate on the host. */
  get cryptoKeys(): number {
    return this.#crypto.size;
  }

  /** Heap in use (and host memory held for its CryptoKeys), for eviction under a memory budget. */
  heapBytes(): number {
    if (this.isolate.isDisposed) return 0;
    const s = this.isolate.getHeapStatisticsSync();
    return s.used_heap_size + (s.externally_allocated_size ?? 0) + this.#crypto.bytes;
  }
}
