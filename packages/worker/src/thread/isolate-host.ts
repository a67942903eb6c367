/**
 * A thread's warm isolates: one per app version, started on its first request from the runtime
 * snapshot, kept under a memory budget (the heap each uses, measured after each of its requests) and a
 * count bound, evicting the least recently used, and dropped after an idle timeout. A killed isolate is
 * dropped and the next request starts a fresh one; an app's new version retires the old version's
 * isolate. Spare isolates, already restored from the snapshot with their bridges bound, wait for cold
 * apps, which then only load their own code: they are made while the thread has no request in flight
 * (the isolate on the thread, ~10 ms; its context on isolated-vm's thread pool), and their number follows
 * the rate of cold starts.
 */

import { SCHEDULED_NO_RETRY } from "@nano/webapi";
import type ivm from "isolated-vm";
import type { AssetServer } from "../assets/asset-server.js";
import type {
  FetchResult,
  FetchTask,
  LogRecord,
  OutboundPolicy,
  ScheduledResult,
  ScheduledTask,
  VersionWire,
} from "../contract.js";
import { DEFAULT_LIMITS } from "../contract.js";
import { NanoError } from "../errors.js";
import { CpuShare } from "../isolate/cpu-share.js";
import type { HostBodyStream } from "../isolate/host-body-stream.js";
import { RuntimeIsolate } from "../isolate/runtime-isolate.js";
import type { HostSocket } from "../isolate/websocket-bridge.js";
import type { KvStore } from "../kv/kv-store.js";
import type { FlightRecorder } from "./flight-recorder.js";
import { SparePool } from "./spare-pool.js";

/** Spares are made with the default heap limit; an app asking for another one starts its own isolate. */
const SPARE_MEMORY_MB = DEFAULT_LIMITS.memoryMb;

/** What happened to an app outside its requests, delivered with its next result. */
interface Notes {
  /** Console output from outside any request (bounded). */
  stray: LogRecord[];
  strayChars: number;
  /** Records dropped since the last result (over the stray bound or the isolate's console rate). */
  dropped: number;
  /** Times its background work went over budget and was stopped. */
  backgroundStops: number;
}

interface Warm {
  isolate: RuntimeIsolate;
  notes: Notes;
  app: string;
  /** Heap in use, measured after a request at most every HEAP_REMEASURE_MS. */
  bytes: number;
  measuredAt: number;
  lastUsed: number;
  /** A newer version of its app started here: disposed as soon as its requests finish. */
  retired: boolean;
}

/** Why a warm isolate was let go (nano_isolate_evictions_total{reason}). */
export type EvictionReason = "memory" | "count" | "idle" | "replaced";

/** What a thread holds, for the metrics (summed over the server). */
export interface IsolateStats {
  warm: number;
  spare: number;
  /** Heap in use by the warm and spare isolates. */
  heapBytes: number;
  /** Since the thread started. */
  evictions: Record<EvictionReason, number>;
  /** Cold starts since the thread started: from a spare or a new isolate, and their total time (ms). */
  starts: { spare: number; fresh: number; ms: number };
}

export interface WarmPolicy {
  /** The warm isolates' heap this thread may keep (default: no bound but the count). */
  memoryBytes?: number;
  /** A warm isolate unused this long is disposed (default 15 minutes). */
  idleMs?: number;
  /** The most spares the cold-start rate may ask for (default 8; none when the thread keeps none at rest). */
  maxSpares?: number;
}

const DEFAULT_IDLE_MS = 15 * 60_000;
const DEFAULT_MAX_SPARES = 8;
/** How often a busy warm isolate's heap is measured again (ms). */
const HEAP_REMEASURE_MS = 100;

const freshNotes = (): Notes => ({ stray: [], strayChars: 0, dropped: 0, backgroundStops: 0 });
/** Versions whose isolate a limit stopped between requests, and what to tell their next request. */
const MAX_CARRIED = 64;

function note(notes: Notes, record: LogRecord): void {
  if (notes.strayChars + record.msg.length > MAX_STRAY_CHARS) {
    notes.dropped++;
    return;
  }
  notes.strayChars += record.msg.length;
  notes.stray.push(record);
}

/** Console output of an app's timers between its requests that the host keeps, at most. */
const MAX_STRAY_CHARS = 256 * 1024;

export class IsolateHost {
  readonly #snapshot: ivm.ExternalCopy<ArrayBuffer>;
  readonly #maxWarm: number;
  /** Map order is recency: the first entry is the least recently used. */
  readonly #warm = new Map<string, Warm>();
  /** Notes of isolates a limit stopped outside any request, for the next isolate of their version. */
  readonly #carried = new Map<string, Notes>();
  readonly #spares: SparePool;
  /** Requests running in this thread: spares are made only when there are none. */
  #inflight = 0;
  readonly #memoryBytes: number;
  readonly #idleMs: number;
  readonly #sweep: NodeJS.Timeout;
  readonly #evictions: Record<EvictionReason, number> = { memory: 0, count: 0, idle: 0, replaced: 0 };
  readonly #starts = { spare: 0, fresh: 0, ms: 0 };
  readonly #outbound: OutboundPolicy | undefined;
  readonly #recorder: FlightRecorder | null;
  /** This thread's CPU share, shared by its isolates (it sizes their entry timeouts). */
  readonly #cpuShare = new CpuShare();
  /** This thread's connection to the KV store, shared by its isolates. */
  readonly #kv: KvStore | null;
  /** This thread's asset server (`env.ASSETS`), shared by its isolates. */
  readonly #assets: AssetServer | null;

  constructor(
    snapshot: ivm.ExternalCopy<ArrayBuffer>,
    maxWarm: number,
    spares = 0,
    outbound?: OutboundPolicy,
    recorder: FlightRecorder | null = null,
    kv: KvStore | null = null,
    policy: WarmPolicy = {},
    assets: AssetServer | null = null,
  ) {
    this.#kv = kv;
    this.#assets = assets;
    this.#snapshot = snapshot;
    this.#outbound = outbound;
    this.#recorder = recorder;
    this.#maxWarm = Math.max(1, maxWarm);
    this.#memoryBytes = policy.memoryBytes ?? Number.POSITIVE_INFINITY;
    this.#idleMs = Math.max(1, policy.idleMs ?? DEFAULT_IDLE_MS);
    this.#sweep = setInterval(() => this.#evictIdle(), Math.min(this.#idleMs / 2, 10_000));
    this.#sweep.unref();
    this.#spares = new SparePool({
      base: spares,
      max: policy.maxSpares ?? DEFAULT_MAX_SPARES,
      make: () => RuntimeIsolate.create(this.#options(SPARE_MEMORY_MB)),
      idle: () => this.#inflight === 0,
    });
  }

  get spareCount(): number {
    return this.#spares.count;
  }

  /** Spares wanted now (see SparePool.target). */
  get spareTarget(): number {
    return this.#spares.target;
  }

  /** Spares ready and whether one is being made, for the pool to read (contract.ts SPARE_STATE). */
  get spareState(): SharedArrayBuffer {
    return this.#spares.state;
  }

  stats(): IsolateStats {
    let heapBytes = this.#spares.bytes;
    for (const w of this.#warm.values()) heapBytes += w.bytes;
    return {
      warm: this.#warm.size,
      spare: this.#spares.count,
      heapBytes,
      evictions: { ...this.#evictions },
      starts: { ...this.#starts },
    };
  }

  #options(memoryMb: number) {
    return {
      snapshot: this.#snapshot,
      memoryMb,
      cpuShare: this.#cpuShare,
      kv: this.#kv,
      assets: this.#assets,
      ...(this.#outbound ? { outbound: this.#outbound } : {}),
    };
  }

  #isolate(memoryMb: number): RuntimeIsolate {
    return new RuntimeIsolate(this.#options(memoryMb));
  }

  get warmCount(): number {
    return this.#warm.size;
  }

  /** The result, and the app's streamed body or WebSocket when it has one (the caller connects it). */
  async fetch(task: FetchTask): Promise<FetchResult & { stream?: HostBodyStream; socket?: HostSocket }> {
    const { version, request } = task;
    let warm = this.#warm.get(version.id);
    const coldStart = !warm;
    const result = (partial: Partial<FetchResult>): FetchResult => {
      const notes = warm ? warm.notes : (this.#carried.get(version.id) ?? freshNotes());
      if (warm) warm.notes = freshNotes();
      else this.#carried.delete(version.id);
      return {
        response: null,
        error: null,
        cpuMs: 0,
        coldStart,
        ...partial,
        logs: [...notes.stray, ...(partial.logs ?? [])],
        logsDropped: notes.dropped + (partial.logsDropped ?? 0),
        backgroundStops: notes.backgroundStops,
      };
    };
    this.#inflight++;
    try {
      if (warm) {
        this.#warm.delete(version.id);
        this.#warm.set(version.id, warm);
      } else {
        this.#spares.coldStart();
        warm = this.#start(version);
      }
      warm.lastUsed = Date.now();
      const out = await warm.isolate.fetch(request, version.limits).finally(() => this.#settled(version.id));
      const done = result({
        response: out.response,
        logs: out.logs,
        logsDropped: out.logsDropped,
        cpuMs: out.cpuMs,
        kvOps: warm.isolate.takeKvOps(),
      });
      if (out.socket) return { ...done, socket: out.socket };
      return out.stream ? { ...done, stream: out.stream } : done;
    } catch (err) {
      const e = err instanceof NanoError ? err : new NanoError("NANO_ERR_INTERNAL", String(err));
      const extra = err as { logs?: LogRecord[]; logsDropped?: number; cpuMs?: number };
      return result({
        error: { code: e.code, message: e.message },
        logs: extra.logs ?? [],
        logsDropped: extra.logsDropped ?? 0,
        cpuMs: extra.cpuMs ?? 0,
        ...(warm ? { kvOps: warm.isolate.takeKvOps() } : {}),
      });
    } finally {
      this.#inflight--;
      this.#spares.refill();
    }
  }

  /** After a request of `id`: its isolate's heap is measured again and the budget enforced. */
  #settled(id: string): void {
    const warm = this.#warm.get(id);
    if (!warm) return;
    if (warm.retired) {
      if (!warm.isolate.busy) warm.isolate.dispose();
      return;
    }
    // Reading the heap statistics costs ~5 µs, as much as a small request's own work: a busy isolate is
    // measured a few times a second, and its memoryLimit bounds what it can grow in between.
    const now = performance.now();
    if (now - warm.measuredAt >= HEAP_REMEASURE_MS) {
      warm.bytes = warm.isolate.heapBytes();
      warm.measuredAt = now;
    }
    this.#trim(id);
  }

  /** Out of the warm set now; disposed (~1 ms) after the current request's answer has gone out. */
  #evict(warm: Warm, reason: EvictionReason): void {
    this.#evictions[reason]++;
    for (const [id, w] of this.#warm) if (w === warm) this.#warm.delete(id);
    setImmediate(() => warm.isolate.dispose());
  }

  /** Evicts the least recently used idle isolates (never `keep`) while over the count or memory bound. */
  #trim(keep: string): void {
    let total = 0;
    for (const w of this.#warm.values()) total += w.bytes;
    for (const [id, w] of [...this.#warm]) {
      const overCount = this.#warm.size > this.#maxWarm;
      if (!overCount && total <= this.#memoryBytes) break;
      if (id === keep || w.isolate.busy) continue;
      total -= w.bytes;
      this.#evict(w, overCount ? "count" : "memory");
    }
  }

  #evictIdle(): void {
    const before = Date.now() - this.#idleMs;
    for (const w of [...this.#warm.values()]) {
      if (w.lastUsed < before && !w.isolate.busy) this.#evict(w, "idle");
    }
  }

  /** Runs one cron occurrence in the version's warm isolate (started if needed), like a request. */
  async scheduled(task: ScheduledTask): Promise<ScheduledResult> {
    const { version } = task;
    let warm = this.#warm.get(version.id);
    const coldStart = !warm;
    const notes = () => {
      const n = warm ? warm.notes : (this.#carried.get(version.id) ?? freshNotes());
      if (warm) warm.notes = freshNotes();
      else this.#carried.delete(version.id);
      return n;
    };
    try {
      if (warm) {
        this.#warm.delete(version.id);
        this.#warm.set(version.id, warm);
      } else warm = this.#start(version);
      const out = await warm.isolate.scheduled(task.cron, task.scheduledTime, version.limits);
      const n = notes();
      const noRetry = out.text.startsWith(SCHEDULED_NO_RETRY);
      const text = noRetry ? out.text.slice(SCHEDULED_NO_RETRY.length) : out.text;
      return {
        error: out.ok ? null : { code: "NANO_ERR_APP_EXCEPTION", message: text },
        noRetry,
        logs: [...n.stray, ...out.logs],
        logsDropped: n.dropped + out.logsDropped,
        cpuMs: out.cpuMs,
        coldStart,
        kvOps: warm.isolate.takeKvOps(),
      };
    } catch (err) {
      const e = err instanceof NanoError ? err : new NanoError("NANO_ERR_INTERNAL", String(err));
      const extra = err as { logs?: LogRecord[]; logsDropped?: number; cpuMs?: number };
      const n = notes();
      return {
        error: { code: e.code, message: e.message },
        noRetry: false,
        logs: [...n.stray, ...(extra.logs ?? [])],
        logsDropped: n.dropped + (extra.logsDropped ?? 0),
        cpuMs: extra.cpuMs ?? 0,
        coldStart,
        ...(warm ? { kvOps: warm.isolate.takeKvOps() } : {}),
      };
    }
  }

  #start(version: VersionWire): Warm {
    const t0 = performance.now();
    const warm: Warm = {
      isolate: undefined as unknown as RuntimeIsolate,
      notes: this.#carried.get(version.id) ?? freshNotes(),
      app: version.app,
      bytes: 0,
      measuredAt: Number.NEGATIVE_INFINITY,
      lastUsed: Date.now(),
      retired: false,
    };
    this.#carried.delete(version.id);
    const hooks = {
      onLog: (record: LogRecord) => note(warm.notes, record),
      onLogDropped: () => {
        warm.notes.dropped++;
      },
      onBackgroundStopped: () => {
        warm.notes.backgroundStops++;
      },
      // A retired version's isolate lives on while its WebSockets are open, and goes with the last one.
      onSocketsIdle: () => {
        if (warm.retired) setImmediate(() => !warm.isolate.busy && warm.isolate.dispose());
      },
      onDispose: (reason: NanoError) => {
        if (this.#warm.get(version.id) !== warm) return;
        this.#warm.delete(version.id);
        // Stopped by a limit between requests (a background timer): the app's next request hears of it.
        if (reason.code === "NANO_ERR_ISOLATE_DISPOSED") return;
        note(warm.notes, {
          level: "error",
          msg: `[nano] the app's isolate was stopped outside a request: ${reason.message}`,
          time: Date.now(),
        });
        this.#carried.set(version.id, warm.notes);
        for (const key of this.#carried.keys()) {
          if (this.#carried.size <= MAX_CARRIED) break;
          this.#carried.delete(key);
        }
      },
      ...(this.#recorder ? { recorder: this.#recorder.forApp(version.app) } : {}),
    };
    const spare = version.limits.memoryMb === SPARE_MEMORY_MB ? this.#spares.take() : undefined;
    if (spare) {
      spare.setHooks(hooks);
      warm.isolate = spare;
    } else {
      warm.isolate = this.#isolate(version.limits.memoryMb);
      warm.isolate.setHooks(hooks);
    }
    try {
      warm.isolate.loadApp(Buffer.from(version.code).toString("utf8"), {
        filename: `app:${version.app}`,
        cachedData: version.cachedData ? new Uint8Array(version.cachedData).slice().buffer : null,
        vars: version.vars,
        kv: version.kv,
        kvOperations: version.limits.kvOperations,
        assets: version.assets ?? null,
      });
    } catch (err) {
      warm.isolate.dispose();
      throw err;
    }
    // A new version of the app: the old one's isolate here serves no more requests (a deploy drains it).
    for (const w of [...this.#warm.values()]) {
      if (w.app !== version.app || w.retired) continue;
      w.retired = true;
      this.#evictions.replaced++;
      if (!w.isolate.busy) w.isolate.dispose();
    }
    warm.bytes = warm.isolate.heapBytes();
    this.#warm.set(version.id, warm);
    this.#starts[spare ? "spare" : "fresh"]++;
    this.#starts.ms += performance.now() - t0;
    this.#trim(version.id);
    return warm;
  }

  close(): void {
    this.#spares.close();
    clearInterval(this.#sweep);
    for (const w of [...this.#warm.values()]) w.isolate.dispose();
  }
}
