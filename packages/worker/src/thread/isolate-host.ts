/**
 * A thread's warm isolates: one per app version, started on its first request from the runtime
 * snapshot, kept under a count bound with least-recently-used eviction. A killed isolate is dropped
 * and the next request starts a fresh one. A few spare isolates, already restored from the snapshot
 * with their bridges bound (~25 ms each), wait for cold apps, which then only load their own code.
 */

import { SCHEDULED_NO_RETRY } from "@nano/webapi";
import type ivm from "isolated-vm";
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
import type { KvStore } from "../kv/kv-store.js";
import type { FlightRecorder } from "./flight-recorder.js";

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
}

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
  readonly #spares: RuntimeIsolate[] = [];
  readonly #spareTarget: number;
  #refill: NodeJS.Immediate | null = null;
  readonly #outbound: OutboundPolicy | undefined;
  readonly #recorder: FlightRecorder | null;
  /** This thread's CPU share, shared by its isolates (it sizes their entry timeouts). */
  readonly #cpuShare = new CpuShare();
  /** This thread's connection to the KV store, shared by its isolates. */
  readonly #kv: KvStore | null;

  constructor(
    snapshot: ivm.ExternalCopy<ArrayBuffer>,
    maxWarm: number,
    spares = 0,
    outbound?: OutboundPolicy,
    recorder: FlightRecorder | null = null,
    kv: KvStore | null = null,
  ) {
    this.#kv = kv;
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
      kv: this.#kv,
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
    try {
      if (warm) {
        this.#warm.delete(version.id);
        this.#warm.set(version.id, warm);
      } else {
        warm = this.#start(version);
      }
      const out = await warm.isolate.fetch(request, version.limits);
      const done = result({
        response: out.response,
        logs: out.logs,
        logsDropped: out.logsDropped,
        cpuMs: out.cpuMs,
        kvOps: warm.isolate.takeKvOps(),
      });
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
    const warm: Warm = {
      isolate: undefined as unknown as RuntimeIsolate,
      notes: this.#carried.get(version.id) ?? freshNotes(),
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
        kv: version.kv,
        kvOperations: version.limits.kvOperations,
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
