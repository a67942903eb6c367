/**
 * One isolate started from the runtime snapshot, with the host bridges bound. It runs an app (load,
 * then requests) or bare evaluations (`nano eval`, the REPL, deploy checks). Every entry into the
 * isolate is synchronous (`applySync`, ~5 µs) with a timeout; handlers that wait on timers finish on a
 * later entry and report through the `respond`/`complete` bridges.
 */

import { getHeapStatistics } from "node:v8";
import {
  BRIDGE_FUNCTIONS,
  type BridgeFunctions,
  decodeHeaderBlock,
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
import { BackgroundBudget, CPU_MS_PER_S, ENTRY_LIMIT_MS, MAX_TIMERS, MIN_ENTRY_MS } from "./background-budget.js";
import { CHARS_PER_S, ConsoleRate, MAX_REQUEST_CHARS, truncateRecord } from "./console-budget.js";
import { CpuShare } from "./cpu-share.js";
import { type CryptoHost, createCryptoHost } from "./crypto-bridge.js";
import { FetchBridge } from "./fetch-bridge.js";
import { HostBodyStream } from "./host-body-stream.js";
import { KvBridge } from "./kv-bridge.js";
import { checkResponseHead, type ResponseHead } from "./response-head.js";
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

interface Pending {
  resolve(value: {
    response?: ResponseWire;
    stream?: HostBodyStream;
    socket?: HostSocket;
    text?: string;
    ok?: boolean;
  }): void;
  reject(err: NanoError): void;
  budgetNs: bigint;
  cpuNs: bigint;
  logs: LogRecord[];
  /** Characters of console output kept for this request, and records dropped past the bounds. */
  logChars: number;
  logsDropped: number;
  wall: NodeJS.Timeout | null;
}

/** WebSockets (incoming and outbound) one isolate may hold open: each holds host memory and a connection. */
const MAX_SOCKETS = 10_000;
/** #run's answer when it queued the entry for later (the background budget is spent). */
const DEFERRED = Symbol("deferred");
/** How often deferred background entries look for budget again. */
const DEFER_MS = 50;
const NS_PER_MS = 1_000_000n;
const LOG_LEVELS = new Set<string>(["debug", "log", "info", "warn", "error"]);

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

type EntryRef = ivm.Reference<(...args: unknown[]) => unknown>;

export class RuntimeIsolate {
  readonly isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #entries: Record<EntryPointName, EntryRef>;
  #opts: RuntimeIsolateOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #timers = new Map<number, { handle: NodeJS.Timeout; owner: number | null }>();
  #current: number | null = null;
  #nextId = 1;
  /** Response bodies being streamed out, by request id. */
  readonly #responseBodies = new Map<number, HostBodyStream>();
  #dead: NanoError | null = null;
  readonly #deferred: [EntryPointName, unknown[], ((cpuMs: number) => void) | undefined, HostSocket | undefined][] = [];
  #drainTimer: NodeJS.Timeout | null = null;
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
  /** The socket whose message or close is being entered: its console output is its own. */
  #socketEntry: HostSocket | null = null;
  readonly #consoleRate = new ConsoleRate();
  /** CPU time the app's top-level code may use when its isolate starts. */
  #startupBudgetMs = 1_000;
  /** CPU for entries no request owns (timers and fetches of finished requests). */
  readonly #background = new BackgroundBudget();
  /** Nesting of synchronous entries: the recorder marks only the outermost. */
  #depth = 0;
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
    const assetServer = opts.assets ?? null;
    this.#outbound = new FetchBridge({
      ...(opts.outbound ? { policy: opts.outbound } : {}),
      assets: (request) => {
        const index = this.#assetIndex;
        if (assetServer === null || index === null) throw new TypeError("this app has no static assets");
        return assetServer.fetch(index, request);
      },
      owner: () => this.#current,
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
    this.#kv = new KvBridge({ store: opts.kv ?? null, owner: () => this.#current });
    this.#sockets = new WebSocketBridge({
      // Each message is an entry of its own, charged like a timer (the background budget).
      enter: (name, args, done, socket) => this.#enter(null, name, args, false, done, socket),
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
    return this.#pending.size > 0 || this.#responseBodies.size > 0 || this.#sockets.size > 0;
  }

  /** Open WebSockets. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Host side of the bridge: every function the runtime may call, bound to this isolate. */
  #bridge(): BridgeFunctions {
    return {
      log: (level, text) => {
        const msg = truncateRecord(String(text));
        const owner = this.#current === null ? undefined : this.#pending.get(this.#current);
        if (!this.#consoleRate.take(msg.length) || (owner && owner.logChars + msg.length > MAX_REQUEST_CHARS)) {
          if (owner) owner.logsDropped++;
          else this.#opts.onLogDropped?.();
          return;
        }
        const record: LogRecord = { level: LOG_LEVELS.has(level) ? level : "log", msg, time: Date.now() };
        if (owner) {
          owner.logChars += msg.length;
          owner.logs.push(record);
        } else if (this.#socketEntry) this.#socketEntry.log(record);
        else this.#opts.onLog?.(record);
      },
      setTimer: (id, delayMs) => {
        if (this.#timers.size >= MAX_TIMERS) throw new RangeError(`an isolate may hold at most ${MAX_TIMERS} timers`);
        const owner = this.#current;
        const handle = setTimeout(() => this.#fireTimer(id), Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
        this.#timers.set(id, { handle, owner });
      },
      clearTimer: (id) => {
        const t = this.#timers.get(id);
        if (t) clearTimeout(t.handle);
        this.#timers.delete(id);
      },
      respond: (id, status, statusText, headerBlock, body) => {
        const pending = this.#settle(id);
        if (!pending) return;
        try {
          if (body !== null && !(body instanceof ArrayBuffer)) throw new NanoError("NANO_ERR_BAD_RESPONSE");
          pending.resolve({ response: { ...this.#head(status, statusText, headerBlock), body } });
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
        this.#settle(id)?.reject(new NanoError(code, String(stack || message)));
      },
      respondSocket: (id, statusText, headerBlock) => {
        const pending = this.#settle(id);
        if (!pending) return 0;
        let head: ResponseHead;
        try {
          head = this.#head(101, statusText, headerBlock, true);
        } catch (err) {
          pending.reject(err as NanoError);
          return 0;
        }
        const socket = this.#sockets.open();
        pending.resolve({ response: { ...head, body: null }, socket });
        return socket.id;
      },
      ...this.#sockets.functions,
      complete: (id, ok, text) => {
        this.#settle(id)?.resolve({ ok, text });
      },
      respondStream: (id, status, statusText, headerBlock) => {
        const pending = this.#settle(id);
        let head: ResponseHead | null = null;
        try {
          head = this.#head(status, statusText, headerBlock);
        } catch (err) {
          pending?.reject(err as NanoError);
        }
        if (!pending || !head) {
          // The request already failed (its wall limit, a bad head): stop the stream, from outside this entry.
          setImmediate(() => !this.#dead && this.#enter(null, "cancelResponse", [id]));
          return;
        }
        const stream = new HostBodyStream(
          () => this.#cancelResponse(id),
          () => this.#resumeResponse(id),
        );
        this.#responseBodies.set(id, stream);
        pending.resolve({ response: { ...head, body: null }, stream });
      },
      // The answer tells the runtime whether to keep producing (false: wait for pullResponse).
      respondChunk: (id, bytes) => {
        if (!(bytes instanceof ArrayBuffer)) return false;
        const stream = this.#responseBodies.get(id);
        return stream?.push(bytes) ?? false;
      },
      respondEnd: (id, error) => {
        const stream = this.#responseBodies.get(id);
        this.#responseBodies.delete(id);
        stream?.end(error || null);
      },
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

  /** The app's response head, checked: whatever the isolate hands over is untrusted. */
  #head(status: unknown, statusText: unknown, headerBlock: unknown, webSocket = false) {
    if (typeof headerBlock !== "string") throw new NanoError("NANO_ERR_BAD_RESPONSE", "the response head is malformed");
    return checkResponseHead(status, statusText, decodeHeaderBlock(headerBlock), webSocket);
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

  /**
   * Runs one synchronous entry on behalf of `owner` (a pending request, or null), charging its CPU
   * time and stopping it at the owner's remaining budget. A timeout or a memory kill disposes the isolate.
   */
  #enter(
    owner: number | null,
    name: EntryPointName,
    args: unknown[],
    draining = false,
    done?: (cpuMs: number) => void,
    socket?: HostSocket,
  ): void {
    if (done === undefined) {
      this.#run(owner, name, args, draining);
      return;
    }
    // `done` hears when the entry ran (or will never run) and its CPU: a deferred entry takes it along.
    let deferred = false;
    const before = this.isolate.isDisposed ? null : this.isolate.cpuTime;
    const previous = this.#socketEntry;
    this.#socketEntry = socket ?? null;
    try {
      deferred = this.#run(owner, name, args, draining, done, socket) === DEFERRED;
    } finally {
      this.#socketEntry = previous;
      const used = before === null || this.isolate.isDisposed ? 0 : Number(this.isolate.cpuTime - before) / 1e6;
      if (!deferred) done(used);
    }
  }

  #run(
    owner: number | null,
    name: EntryPointName,
    args: unknown[],
    draining: boolean,
    done?: (cpuMs: number) => void,
    socket?: HostSocket,
  ): typeof DEFERRED | undefined {
    if (this.#dead) {
      if (owner !== null) this.#settle(owner)?.reject(new NanoError(this.#dead.code, this.#dead.message));
      return;
    }
    const pending = owner === null ? undefined : this.#pending.get(owner);
    let budgetNs: bigint;
    if (pending) budgetNs = pending.budgetNs - pending.cpuNs;
    else {
      const available = this.#background.available();
      if (name !== "fireTimer" && (available < MIN_ENTRY_MS || (this.#deferred.length > 0 && !draining))) {
        // A fetch continuation, a stream pull or a socket message is never dropped: it waits, in order, for the budget.
        this.#defer(name, args, done, socket);
        return DEFERRED;
      }
      if (available < MIN_ENTRY_MS) {
        this.#stopBackground();
        return;
      }
      budgetNs = BigInt(Math.ceil(Math.max(available, ENTRY_LIMIT_MS))) * NS_PER_MS;
    }
    const remainingMs = Math.max(1, Number(budgetNs / NS_PER_MS));
    // isolated-vm's timeout is wall-clock: it stops runaway code just past the remaining budget,
    // stretched by the thread's measured CPU share so a descheduled thread is not mistaken for a
    // runaway. The budget itself is checked on the isolate's CPU clock after the entry.
    const timeout = this.#share.timeoutFor(remainingMs);
    const before = this.isolate.cpuTime;
    const wallBefore = process.hrtime.bigint();
    // Crypto and KV run in host callbacks, outside the isolate's CPU clock: measured and charged apart.
    const hostBefore = this.#crypto.hostNs + this.#kv.hostNs;
    this.#crypto.budget(budgetNs);
    this.#kv.budget(budgetNs);
    const previous = this.#current;
    this.#current = owner;
    const recorder = this.#recorderFor();
    if (this.#depth++ === 0) recorder.enter();
    let timedOut = false;
    let uncaught: unknown = null;
    try {
      // Primitives pass as they are; only an ArrayBuffer body needs the (slower) structured copy.
      const copy = args.some((a) => a !== null && typeof a === "object");
      if (copy) this.#entries[name].applySync(undefined, args, { arguments: { copy: true }, timeout });
      else this.#entries[name].applySync(undefined, args as ivm.Transferable[], { timeout });
    } catch (err) {
      if (this.isolate.isDisposed) {
        this.#kill(new NanoError("NANO_ERR_MEMORY_LIMIT"));
        return;
      }
      if (err instanceof Error && /timed out/i.test(err.message)) timedOut = true;
      // An uncaught exception in a timer callback or an unhandled rejection: the app's bug, logged with
      // its own frames only; the host frames behind isolated-vm's boundary go to the operator's log.
      else uncaught = err;
    } finally {
      this.#current = previous;
      if (--this.#depth === 0) recorder.leave();
    }
    if (uncaught !== null) this.#logUncaught(uncaught, owner);
    if (this.isolate.isDisposed) return;
    const cpuNs = this.isolate.cpuTime - before;
    this.#share.observe(cpuNs, process.hrtime.bigint() - wallBefore);
    const usedNs = cpuNs + (this.#crypto.hostNs + this.#kv.hostNs - hostBefore);
    // Charged before any kill, so what a runaway cost is reported (and throttled) too.
    if (pending) pending.cpuNs += usedNs;
    else this.#background.charge(Number(usedNs) / 1e6);
    if (timedOut) {
      // The guard is wall-clock: a request's entry stopped before it used a quarter of its CPU budget
      // was held off its core (a loaded machine), not running away. That request fails; the isolate
      // and the other requests in it go on. A real runaway, or work outside a request, stops the isolate.
      if (pending && usedNs * 4n < budgetNs && owner !== null) {
        this.#settle(owner)?.reject(new NanoError("NANO_ERR_CPU_LIMIT"));
        return;
      }
      this.#kill(new NanoError("NANO_ERR_CPU_LIMIT"));
      return;
    }
    // Over budget and still unanswered (or no request at all): stop the isolate. A request that
    // answered within this entry is done; the wall timeout above bounds how far it could go over.
    const stillPending = owner !== null && this.#pending.has(owner);
    if ((pending && stillPending && pending.cpuNs > pending.budgetNs) || (!pending && usedNs > budgetNs)) {
      this.#kill(new NanoError("NANO_ERR_CPU_LIMIT"));
    }
  }

  #logUncaught(err: unknown, ownerId: number | null): void {
    const text = `Uncaught ${errorText(err)}`;
    const owner = ownerId === null ? undefined : this.#pending.get(ownerId);
    const full = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const record: LogRecord = { level: "error", msg: truncateRecord(text), time: Date.now(), hostStack: full };
    if (owner) owner.logs.push(record);
    else this.#opts.onLog?.(record);
  }

  #recorderFor(): EntryRecorder {
    return this.#opts.recorder ?? NO_RECORDER;
  }

  /** Background entries waiting for the budget to refill (drained in order). */
  #defer(name: EntryPointName, args: unknown[], done?: (cpuMs: number) => void, socket?: HostSocket): void {
    this.#deferred.push([name, args, done, socket]);
    if (this.#drainTimer === null) this.#drainTimer = setTimeout(() => this.#drain(), DEFER_MS);
  }

  #drain(): void {
    this.#drainTimer = null;
    while (this.#deferred.length > 0 && !this.#dead) {
      if (this.#background.available() < MIN_ENTRY_MS) {
        this.#drainTimer = setTimeout(() => this.#drain(), DEFER_MS);
        return;
      }
      const [name, args, done, socket] = this.#deferred.shift() as [
        EntryPointName,
        unknown[],
        ((cpuMs: number) => void) | undefined,
        HostSocket | undefined,
      ];
      this.#enter(null, name, args, true, done, socket);
    }
  }

  /** The reader has taken most of what was queued: let the app's stream produce again. */
  #resumeResponse(id: number): void {
    if (!this.#responseBodies.has(id) || this.#dead) return;
    // Later, from outside whatever entry or host callback read the queue. Producing a streamed body
    // after its head is work outside the request: when that budget is spent, it waits for it.
    setImmediate(() => {
      if (this.#responseBodies.has(id) && !this.#dead) this.#enter(null, "pullResponse", [id]);
    });
  }

  /** The client left: stop the app's stream (its own entry, charged to no request). */
  #cancelResponse(id: number): void {
    if (!this.#responseBodies.delete(id) || this.#dead) return;
    this.#enter(null, "cancelResponse", [id]);
  }

  /**
   * Background work is over its budget: clears every timer that no pending request owns, so the app's
   * leftover intervals stop instead of taking the thread from other apps. Logged for the app, counted.
   */
  #stopBackground(): void {
    let cleared = 0;
    for (const [id, t] of this.#timers) {
      if (t.owner !== null && this.#pending.has(t.owner)) continue;
      clearTimeout(t.handle);
      this.#timers.delete(id);
      cleared++;
    }
    if (cleared === 0) return;
    this.#opts.onLog?.({
      level: "warn",
      msg:
        `[nano] background work stopped: timers that outlive their request may use ${CPU_MS_PER_S} ms of CPU ` +
        `per second; ${cleared} timer(s) cleared`,
      time: Date.now(),
    });
    this.#opts.onBackgroundStopped?.();
  }

  #fireTimer(id: number): void {
    const t = this.#timers.get(id);
    if (!t || this.#dead) return;
    this.#timers.delete(id);
    const owner = t.owner !== null && this.#pending.has(t.owner) ? t.owner : null;
    this.#enter(owner, "fireTimer", [id]);
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
    const recorder = this.#recorderFor();
    if (this.#depth++ === 0) recorder.enter();
    try {
      this.#crypto.budget(BigInt(this.#startupBudgetMs) * NS_PER_MS);
      script.runSync(this.#context, { timeout: this.#startupBudgetMs });
      this.#kv.bind(opts.kv ?? {}, opts.kvOperations ?? KV_LIMITS.operations);
      const kvNames = JSON.stringify(Object.keys(opts.kv ?? {}));
      this.#assetIndex = opts.assets?.index ?? null;
      const assetsBinding = opts.assets?.binding ?? "";
      const kind = this.#entries.loadApp.applySync(
        undefined,
        [JSON.stringify(opts.vars ?? {}), kvNames, assetsBinding],
        {
          timeout: this.#startupBudgetMs,
        },
      ) as LoadedApp["kind"];
      return { kind, cachedData };
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
      if (--this.#depth === 0) recorder.leave();
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
    // cpuMs is read after the entry that settled the promise has been charged.
    return new Promise<{
      response?: ResponseWire;
      stream?: HostBodyStream;
      socket?: HostSocket;
      text?: string;
      ok?: boolean;
      logs: LogRecord[];
      logsDropped: number;
      cpuMs: () => number;
    }>((resolve, reject) => {
      const entry: Pending = {
        budgetNs: BigInt(Math.ceil(cpuMs)) * NS_PER_MS,
        cpuNs: 0n,
        logs: [],
        logChars: 0,
        logsDropped: 0,
        wall: null,
        resolve: (v) =>
          resolve({
            ...v,
            logs: withDropNotice(entry),
            logsDropped: entry.logsDropped,
            cpuMs: () => Number(entry.cpuNs) / 1e6,
          }),
        reject: (err) =>
          reject(
            Object.assign(err, {
              logs: withDropNotice(entry),
              logsDropped: entry.logsDropped,
              cpuMs: Number(entry.cpuNs) / 1e6,
            }),
          ),
      };
      entry.wall = setTimeout(() => this.#settle(id)?.reject(new NanoError("NANO_ERR_WALL_LIMIT")), wallMs);
      this.#pending.set(id, entry);
    });
  }

  /** Stops everything in this isolate: its pending requests fail with `reason`, nothing else does. */
  #kill(reason: NanoError): void {
    if (this.#dead) return;
    this.#dead = reason;
    for (const t of this.#timers.values()) clearTimeout(t.handle);
    this.#timers.clear();
    for (const [, , done] of this.#deferred.splice(0)) done?.(0);
    if (this.#drainTimer) clearTimeout(this.#drainTimer);
    // Its WebSockets' clients hear why: 1011 for a limit kill, 1001 (going away) for a plain dispose.
    const disposed = reason.code === "NANO_ERR_ISOLATE_DISPOSED";
    this.#sockets.abortAll(disposed ? 1001 : 1011, reason.message, disposed ? undefined : reason.code);
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(new NanoError(reason.code, reason.message));
    for (const stream of this.#responseBodies.values()) stream.end(reason.message);
    this.#responseBodies.clear();
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

/** A request's console records, with one more that says how many were dropped, if any were. */
function withDropNotice(p: Pending): LogRecord[] {
  if (p.logsDropped === 0) return p.logs;
  const msg =
    `[nano] ${p.logsDropped} console record(s) dropped: a request keeps at most ${MAX_REQUEST_CHARS / 1024} KiB ` +
    `of console output and an isolate may log ${CHARS_PER_S / 1048576} MiB per second`;
  return [...p.logs, { level: "warn", msg, time: Date.now() }];
}

/** The error as the app's author should see it: message and in-isolate frames, no host frames. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const text = err.stack?.includes(err.message) ? err.stack : `${err.name}: ${err.message}`;
  const inIsolate = text.split("\n    at (<isolated-vm boundary>)")[0] as string;
  // The runtime's own frames say nothing to the app's author.
  return inIsolate
    .split("\n")
    .filter((line) => !line.includes("nano:runtime"))
    .join("\n");
}
