/**
 * A thread's warm isolates: one per app version, started on its first request from the runtime
 * snapshot, kept under a count bound with least-recently-used eviction. A killed isolate is dropped
 * and the next request starts a fresh one. A few spare isolates, already restored from the snapshot
 * with their bridges bound (~25 ms each), wait for cold apps, which then only load their own code.
 */
import type ivm from "isolated-vm";
import type { FetchResult, FetchTask, LogRecord, OutboundPolicy, VersionWire } from "../contract.js";
import { DEFAULT_LIMITS } from "../contract.js";
import { NanoError } from "../errors.js";
import { CpuShare } from "../isolate/cpu-share.js";
import type { HostBodyStream } from "../isolate/host-body-stream.js";
import { RuntimeIsolate } from "../isolate/runtime-isolate.js";
import type { FlightRecorder } from "./flight-recorder.js";

/** Spares are made with the default heap limit; an app asking for another one starts its own isolate. */
const SPARE_MEMORY_MB = DEFAULT_LIMITS.memoryMb;

interface Warm {
  isolate: RuntimeIsolate;
  /** Console output from outside any request, delivered with the next result. */
  stray: LogRecord[];
}

export class IsolateHost {
  readonly #snapshot: ivm.ExternalCopy<ArrayBuffer>;
  readonly #maxWarm: number;
  /** Map order is recency: the first entry is the least recently used. */
  readonly #warm = new Map<string, Warm>();
  readonly #spares: RuntimeIsolate[] = [];
  readonly #spareTarget: number;
  #refill: NodeJS.Immediate | null = null;
  readonly #outbound: OutboundPolicy | undefined;
  readonly #recorder: FlightRecorder | null;
  /** This thread's CPU share, shared by its isolates (it sizes their entry timeouts). */
  readonly #cpuShare = new CpuShare();

  constructor(
    snapshot: ivm.ExternalCopy<ArrayBuffer>,
    maxWarm: number,
    spares = 0,
    outbound?: OutboundPolicy,
    recorder: FlightRecorder | null = null,
  ) {
    this.#snapshot = snapshot;
    this.#outbound = outbound;
    this.#recorder = recorder;
    this.#maxWarm = Math.max(1, maxWarm);
    this.#spareTarget = Math.max(0, spares);
    this.#scheduleRefill();
  }

  get spareCount(): number {
    return this.#spares.length;
  }

  /** Tops the spares up one at a time, after the current request's work, so no request waits on it. */
  #scheduleRefill(): void {
    if (this.#refill || this.#spares.length >= this.#spareTarget) return;
    this.#refill = setImmediate(() => {
      this.#refill = null;
      if (this.#spares.length >= this.#spareTarget) return;
      this.#spares.push(this.#isolate(SPARE_MEMORY_MB));
      this.#scheduleRefill();
    });
  }

  #isolate(memoryMb: number): RuntimeIsolate {
    return new RuntimeIsolate({
      snapshot: this.#snapshot,
      memoryMb,
      cpuShare: this.#cpuShare,
      ...(this.#outbound ? { outbound: this.#outbound } : {}),
    });
  }

  get warmCount(): number {
    return this.#warm.size;
  }

  /** The result, and the app's streamed body when it streams one (the caller sends it on). */
  async fetch(task: FetchTask): Promise<FetchResult & { stream?: HostBodyStream }> {
    const { version, request } = task;
    let warm = this.#warm.get(version.id);
    const coldStart = !warm;
    const result = (partial: Partial<FetchResult>): FetchResult => {
      const logs = warm ? warm.stray.splice(0) : [];
      return { response: null, error: null, cpuMs: 0, coldStart, ...partial, logs: [...logs, ...(partial.logs ?? [])] };
    };
    try {
      if (warm) {
        this.#warm.delete(version.id);
        this.#warm.set(version.id, warm);
      } else {
        warm = this.#start(version);
      }
      const out = await warm.isolate.fetch(request, version.limits);
      const done = result({ response: out.response, logs: out.logs, cpuMs: out.cpuMs });
      return out.stream ? { ...done, stream: out.stream } : done;
    } catch (err) {
      const e = err instanceof NanoError ? err : new NanoError("NANO_ERR_INTERNAL", String(err));
      const extra = err as { logs?: LogRecord[]; cpuMs?: number };
      return result({ error: { code: e.code, message: e.message }, logs: extra.logs ?? [], cpuMs: extra.cpuMs ?? 0 });
    }
  }

  #start(version: VersionWire): Warm {
    const warm: Warm = { isolate: undefined as unknown as RuntimeIsolate, stray: [] };
    const hooks = {
      onLog: (record: LogRecord) => warm.stray.push(record),
      onDispose: () => {
        if (this.#warm.get(version.id) === warm) this.#warm.delete(version.id);
      },
      ...(this.#recorder ? { recorder: this.#recorder.forApp(version.app) } : {}),
    };
    const spare = version.limits.memoryMb === SPARE_MEMORY_MB ? this.#spares.shift() : undefined;
    if (spare) {
      spare.setHooks(hooks);
      warm.isolate = spare;
      this.#scheduleRefill();
    } else {
      warm.isolate = this.#isolate(version.limits.memoryMb);
      warm.isolate.setHooks(hooks);
    }
    try {
      warm.isolate.loadApp(Buffer.from(version.code).toString("utf8"), {
        filename: `app:${version.app}`,
        cachedData: version.cachedData ? new Uint8Array(version.cachedData).slice().buffer : null,
        vars: version.vars,
      });
    } catch (err) {
      warm.isolate.dispose();
      throw err;
    }
    this.#warm.set(version.id, warm);
    while (this.#warm.size > this.#maxWarm) {
      const [oldest] = this.#warm.values();
      oldest?.isolate.dispose();
    }
    return warm;
  }

  close(): void {
    if (this.#refill) clearImmediate(this.#refill);
    for (const w of [...this.#warm.values()]) w.isolate.dispose();
    for (const s of this.#spares.splice(0)) s.dispose();
  }
}
