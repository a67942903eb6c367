/**
 * The pool side: a Piscina pool whose threads host isolates. Settings that matter (DESIGN.md §6):
 * `atomics: 'disabled'` (the default freezes host timers between tasks), a fixed thread count,
 * several concurrent tasks per thread (one isolate interleaves awaiting requests), and tasks are
 * never aborted (that would kill the thread and every isolate in it).
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { AssetServerSpec } from "../assets/asset-server.js";
import {
  type AppLimits,
  DEFAULT_LIMITS,
  DEFAULT_OUTBOUND_POLICY,
  type FetchResult,
  type IsolateStatsMessage,
  type KvStoreSpec,
  type OutboundPolicy,
  type RequestWire,
  type ScheduledResult,
  type ThreadData,
  type VersionWire,
} from "../contract.js";
import { loadRuntimeSnapshot } from "../isolate/snapshot.js";
import { affinityBalancer } from "./affinity-balancer.js";
import { ThreadChannels } from "./thread-channel.js";

export interface WorkerPoolOptions {
  /** Worker threads; default: the cores left after the ingress thread, at least 1. */
  threads?: number;
  /** Requests one thread runs at once (they interleave while awaiting). */
  concurrentTasksPerThread?: number;
  /** Warm isolates per thread before LRU eviction. */
  maxWarmIsolates?: number;
  /** Spare isolates per thread, ready for cold apps (default 2; more while cold starts come fast). */
  spareIsolates?: number;
  /** The heap the warm isolates of this pool may hold, split evenly across its threads (default: no bound). */
  warmMemoryMb?: number;
  /** A warm isolate unused this long is disposed (default 15 minutes). */
  warmIdleMs?: number;
  /** The runtime snapshot; default: from the disk cache, made if missing. */
  snapshot?: SharedArrayBuffer;
  /** What the apps' outbound fetches may reach; default: public addresses only. */
  outbound?: OutboundPolicy;
  /** A flight-recorder file (see thread/flight-recorder.ts) the threads mark on every isolate entry. */
  recorderPath?: string;
  /** Requests waiting for a thread beyond which `fetch` answers NANO_ERR_OVERLOADED (default 1024). */
  maxQueue?: number;
  /** The per-thread channels of the hot path (thread-channel.ts); false sends every request through Piscina (benchmarks). */
  channels?: boolean;
  /** Where the apps' KV namespaces are stored (see ThreadData.kv). */
  kv?: KvStoreSpec | null;
  /** The asset server behind `env.ASSETS` (see ThreadData.assets). */
  assets?: AssetServerSpec | null;
}

export interface VersionSpec {
  app: string;
  version: string;
  code: string;
  cachedData?: ArrayBuffer | Uint8Array | null;
  vars?: Record<string, string>;
  kv?: Record<string, string>;
  limits?: Partial<AppLimits>;
  /** Static assets: the binding's name and the asset index as JSON; null: none. */
  assets?: { binding: string; index: string } | null;
}

function shared(bytes: Uint8Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(sab).set(bytes);
  return sab;
}

/** Turns a version into its wire form once, at deploy; each task then carries only shared handles. */
export function prepareVersion(spec: VersionSpec): VersionWire {
  const cached = spec.cachedData ? new Uint8Array(spec.cachedData as ArrayBuffer) : null;
  return {
    id: `${spec.app}@${spec.version}`,
    app: spec.app,
    code: shared(Buffer.from(spec.code, "utf8")),
    cachedData: cached ? shared(cached) : null,
    vars: { ...(spec.vars ?? {}) },
    kv: { ...(spec.kv ?? {}) },
    limits: { ...DEFAULT_LIMITS, ...(spec.limits ?? {}) },
    assets: spec.assets
      ? { binding: spec.assets.binding, index: shared(Buffer.from(spec.assets.index, "utf8")) }
      : null,
  };
}

/** Warm and spare isolates, their heap, and evictions by reason since start, over a pool's threads. */
export type PoolIsolateStats = Omit<IsolateStatsMessage["isolateStats"], "thread">;

export class WorkerPool {
  readonly #piscina: Piscina;
  readonly #channels: ThreadChannels;
  readonly #threadStats = new Map<number, IsolateStatsMessage["isolateStats"]>();
  readonly threads: number;

  constructor(opts: WorkerPoolOptions = {}) {
    this.threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    const concurrent = opts.concurrentTasksPerThread ?? 32;
    const workerData: ThreadData = {
      snapshot: opts.snapshot ?? loadRuntimeSnapshot(),
      maxWarmIsolates: opts.maxWarmIsolates ?? 64,
      spareIsolates: opts.spareIsolates ?? 2,
      warmMemoryBytes: opts.warmMemoryMb ? Math.floor((opts.warmMemoryMb * 1048576) / this.threads) : null,
      warmIdleMs: opts.warmIdleMs ?? 15 * 60_000,
      outbound: opts.outbound ?? DEFAULT_OUTBOUND_POLICY,
      recorderPath: opts.recorderPath ?? null,
      kv: opts.kv ?? null,
      assets: opts.assets ?? null,
    };
    this.#piscina = new Piscina({
      filename: new URL("../thread/entry.js", import.meta.url).href,
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: 2 ** 31 - 1,
      atomics: "disabled",
      concurrentTasksPerWorker: concurrent,
      maxQueue: opts.maxQueue ?? 1024,
      workerData,
      loadBalancer: affinityBalancer(concurrent),
    });
    // The channels carry twice Piscina's per-thread depth before Piscina takes the rest (and queues
    // past its own): at 64 connections on one thread every request takes the hot path.
    this.#channels = new ThreadChannels(this.#piscina, this.threads, concurrent * 2);
    if (opts.channels !== false) void this.#channels.connect();
    this.#piscina.on("message", (message: unknown) => {
      const stats = (message as Partial<IsolateStatsMessage> | null)?.isolateStats;
      if (stats && typeof stats.thread === "number") this.#threadStats.set(stats.thread, stats);
    });
  }

  /** What the threads hold, summed, as they last reported (every 250 ms while it changes). */
  isolateStats(): PoolIsolateStats {
    const sum: PoolIsolateStats = {
      warm: 0,
      spare: 0,
      heapBytes: 0,
      evictions: {},
      starts: { spare: 0, fresh: 0, ms: 0 },
    };
    for (const t of this.#threadStats.values()) {
      sum.warm += t.warm;
      sum.spare += t.spare;
      sum.heapBytes += t.heapBytes;
      sum.starts.spare += t.starts.spare;
      sum.starts.fresh += t.starts.fresh;
      sum.starts.ms += t.starts.ms;
      for (const [reason, n] of Object.entries(t.evictions)) sum.evictions[reason] = (sum.evictions[reason] ?? 0) + n;
    }
    return sum;
  }

  /** Runs one request of `version`; resolves with the response or a coded error, never rejects for app faults. */
  fetch(version: VersionWire, request: RequestWire): Promise<FetchResult> {
    const fast = this.#channels.fetch(version, request);
    if (fast) return fast;
    const task = { kind: "fetch" as const, version, request, [Piscina.queueOptionsSymbol]: { affinity: version.id } };
    const transferList = request.body ? [request.body] : [];
    return this.#piscina.run(task, { transferList }).catch((err: Error) => ({
      response: null,
      error: /queue is at limit|no task queue available/i.test(err.message)
        ? { code: "NANO_ERR_OVERLOADED", message: "the server is overloaded: too many requests are waiting" }
        : { code: "NANO_ERR_INTERNAL", message: err.message },
      logs: [],
      cpuMs: 0,
      coldStart: false,
    }));
  }

  /** Runs one cron occurrence of `version` in the thread that holds it warm; never rejects. */
  scheduled(version: VersionWire, cron: string, scheduledTime: number): Promise<ScheduledResult> {
    const task = {
      kind: "scheduled" as const,
      version,
      cron,
      scheduledTime,
      [Piscina.queueOptionsSymbol]: { affinity: version.id },
    };
    return this.#piscina.run(task).catch((err: Error) => ({
      error: { code: "NANO_ERR_INTERNAL", message: err.message },
      noRetry: false,
      logs: [],
      cpuMs: 0,
      coldStart: false,
    }));
  }

  /** Threads reached through their own channel (the hot path); the rest go through Piscina. */
  get channelCount(): number {
    return this.#channels.connected;
  }

  get queueSize(): number {
    return this.#piscina.queueSize;
  }

  /** Waits for running requests, then stops the threads. */
  async close(): Promise<void> {
    await this.#channels.drain();
    await this.#piscina.close();
  }

  /** Stops the threads now; running requests fail. */
  async destroy(): Promise<void> {
    void this.#channels.drain();
    await this.#piscina.destroy();
  }
}
