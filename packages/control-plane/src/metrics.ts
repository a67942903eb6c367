/**
 * Prometheus metrics (prom-client, one registry in the supervisor). Runtime processes report their
 * requests in batches and the supervisor counts them here, so counters survive a runtime process's
 * death and one scrape shows the whole server. Names follow DESIGN.md §8.
 */
import { NanoError } from "@nano/worker";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** What the supervisor knows at scrape time. */
export interface MetricSources {
  queueDepth?: () => number;
  runtimeProcesses?: () => number;
  quarantinedApps?: () => number;
  runtimeMemory?: () => [number, number][];
  /** Live bytes (keys, values, metadata) per KV namespace. */
  kvBytes?: () => { name: string; bytes: number }[];
  /** Warm and spare isolates and their heap, summed over the serving runtime processes. */
  isolates?: () => { warm: number; spare: number; heapBytes: number };
  /** Open WebSockets by app, summed over the serving runtime processes. */
  websocketsOpen?: () => Map<string, number>;
}

function killReason(errorCode: string | undefined): "cpu" | "memory" | "wall" | null {
  if (errorCode === "NANO_ERR_CPU_LIMIT") return "cpu";
  if (errorCode === "NANO_ERR_MEMORY_LIMIT") return "memory";
  if (errorCode === "NANO_ERR_WALL_LIMIT") return "wall";
  return null;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: "nano_requests_total",
    help: "Requests answered, by app and status",
    labelNames: ["app", "status"] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: "nano_request_duration_seconds",
    help: "Request duration at the ingress",
    labelNames: ["app"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly #cpu = new Counter({
    name: "nano_cpu_seconds_total",
    help: "CPU time spent inside app isolates",
    labelNames: ["app"] as const,
    registers: [this.registry],
  });
  readonly #starts = new Counter({
    name: "nano_isolate_starts_total",
    help: "Requests by whether they started the app's isolate (cold) or found it warm",
    labelNames: ["app", "kind"] as const,
    registers: [this.registry],
  });
  readonly #assets = new Counter({
    name: "nano_asset_requests_total",
    help: "Requests answered from the app's static assets, before its isolate",
    labelNames: ["app"] as const,
    registers: [this.registry],
  });
  readonly #kills = new Counter({
    name: "nano_limit_kills_total",
    help: "Isolates stopped by a limit",
    labelNames: ["app", "reason"] as const,
    registers: [this.registry],
  });
  readonly #deploys = new Counter({
    name: "nano_deploys_total",
    help: "Deploys by result",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly #throttled = new Counter({
    name: "nano_throttled_requests_total",
    help: "Requests answered 503 at once because their app was throttled for exceeding its CPU limit",
    labelNames: ["app"] as const,
    registers: [this.registry],
  });
  readonly #consoleDropped = new Counter({
    name: "nano_console_dropped_total",
    help: "Console records an app logged past the per-request or per-second bounds, dropped",
    labelNames: ["app"] as const,
    registers: [this.registry],
  });
  readonly #backgroundStops = new Counter({
    name: "nano_background_stops_total",
    help: "Times an app's work outside requests went over its CPU budget and its timers were cleared",
    labelNames: ["app"] as const,
    registers: [this.registry],
  });
  readonly #kvOps = new Counter({
    name: "nano_kv_operations_total",
    help: "KV operations apps made, by app and operation (get, put, delete, list)",
    labelNames: ["app", "op"] as const,
    registers: [this.registry],
  });
  readonly #scheduled = new Counter({
    name: "nano_scheduled_runs_total",
    help: "Runs of apps' scheduled handlers (cron triggers and nano cron trigger), by outcome",
    labelNames: ["app", "result"] as const,
    registers: [this.registry],
  });
  readonly #restarts = new Counter({
    name: "nano_runtime_restarts_total",
    help: "Runtime processes that died and were restarted, by signal, exit or unresponsive",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly #socketMessages = new Counter({
    name: "nano_websocket_messages_total",
    help: "WebSocket messages, by app and direction (in: from clients to the app, out: from the app)",
    labelNames: ["app", "direction"] as const,
    registers: [this.registry],
  });

  readonly #evictions = new Counter({
    name: "nano_isolate_evictions_total",
    help: "Warm isolates let go: memory (over the warm budget), count, idle, replaced (a new version started)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  /** Each runtime process's eviction counts as it last reported, to count what is new. */
  readonly #evictionsSeen = new Map<number, Record<string, number>>();

  constructor(sources: MetricSources = {}) {
    collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, read: (() => number) | undefined) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read?.() ?? 0);
        },
      });
    gauge("nano_queue_depth", "Requests waiting for a worker thread, in all runtime processes", sources.queueDepth);
    gauge("nano_runtime_processes", "Runtime processes serving now", sources.runtimeProcesses);
    gauge("nano_quarantined_apps", "Apps in quarantine after repeated crashes", sources.quarantinedApps);
    gauge(
      "nano_isolate_heap_bytes",
      "Heap in use by warm and spare isolates",
      () => sources.isolates?.().heapBytes ?? 0,
    );
    new Gauge({
      name: "nano_isolates",
      help: "Isolates held: warm (an app's, ready for its requests) and spare (restored, waiting for a cold app)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const now = sources.isolates?.() ?? { warm: 0, spare: 0 };
        this.set({ state: "warm" }, now.warm);
        this.set({ state: "spare" }, now.spare);
      },
    });
    new Gauge({
      name: "nano_websockets_open",
      help: "WebSockets open now, by app",
      labelNames: ["app"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [app, n] of sources.websocketsOpen?.() ?? []) this.set({ app }, n);
      },
    });
    new Gauge({
      name: "nano_runtime_resident_memory_bytes",
      help: "Resident memory of each runtime process, as it last reported",
      labelNames: ["process"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [slot, rss] of sources.runtimeMemory?.() ?? []) this.set({ process: String(slot) }, rss);
      },
    });
    new Gauge({
      name: "nano_kv_bytes",
      help: "Bytes stored in each KV namespace (keys, values and metadata of live entries)",
      labelNames: ["namespace"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const ns of sources.kvBytes?.() ?? []) this.set({ namespace: ns.name }, ns.bytes);
      },
    });
  }

  /** A request the ingress answered from static assets: a request, but no isolate start and no CPU. */
  assetRequest(app: string, status: number, seconds: number): void {
    this.#requests.inc({ app, status: String(status) });
    this.#duration.observe({ app }, seconds);
    this.#assets.inc({ app });
  }

  request(app: string, status: number, seconds: number, cpuMs: number, cold: boolean, errorCode?: string): void {
    this.#requests.inc({ app, status: String(status) });
    this.#duration.observe({ app }, seconds);
    this.#cpu.inc({ app }, cpuMs / 1000);
    this.#starts.inc({ app, kind: cold ? "cold" : "warm" });
    const reason = killReason(errorCode);
    if (reason) this.#kills.inc({ app, reason });
    if (errorCode === "NANO_ERR_APP_THROTTLED") this.#throttled.inc({ app });
  }

  /** Requests the ingress answered at once (throttled, overloaded), `n` of them with `code`. */
  refused(app: string, code: string, n: number): void {
    this.#requests.inc({ app, status: String(NanoError.from({ code, message: "" }).status) }, n);
    if (code === "NANO_ERR_APP_THROTTLED") this.#throttled.inc({ app }, n);
  }

  scheduledRun(app: string, result: "ok" | "error", cpuMs: number): void {
    this.#scheduled.inc({ app, result });
    this.#cpu.inc({ app }, cpuMs / 1000);
  }

  kvOperations(app: string, ops: Record<string, number>): void {
    for (const [op, n] of Object.entries(ops)) this.#kvOps.inc({ app, op }, n);
  }

  /** An app's WebSocket work in a runtime process: messages each way, their CPU, limit kills during one. */
  websocketWork(app: string, work: { in: number; out: number; cpuMs: number; kills: Record<string, number> }): void {
    if (work.in > 0) this.#socketMessages.inc({ app, direction: "in" }, work.in);
    if (work.out > 0) this.#socketMessages.inc({ app, direction: "out" }, work.out);
    if (work.cpuMs > 0) this.#cpu.inc({ app }, work.cpuMs / 1000);
    for (const [code, n] of Object.entries(work.kills)) {
      const reason = killReason(code);
      if (reason) this.#kills.inc({ app, reason }, n);
    }
  }

  backgroundStopped(app: string, n: number): void {
    this.#backgroundStops.inc({ app }, n);
  }

  consoleDropped(app: string, records: number): void {
    this.#consoleDropped.inc({ app }, records);
  }

  /**
   * A runtime process's evictions since it started (`pid` tells a restarted process, whose counts
   * begin again at zero); the counter grows by what is new.
   */
  isolateEvictions(slot: number, pid: number, evictions: Record<string, number>): void {
    const seen = this.#evictionsSeen.get(slot);
    const same = seen && seen.pid === pid;
    for (const [reason, n] of Object.entries(evictions)) {
      const before = same ? (seen[reason] ?? 0) : 0;
      if (n > before) this.#evictions.inc({ reason }, n - before);
    }
    this.#evictionsSeen.set(slot, { ...evictions, pid });
  }

  runtimeRestart(reason: string): void {
    this.#restarts.inc({ reason });
  }

  deploy(result: "created" | "unchanged" | "failed"): void {
    this.#deploys.inc({ result });
  }

  /** Requests per app answered since start, for `nano apps info`. */
  async requestCounts(app: string): Promise<Record<string, number>> {
    const data = await this.#requests.get();
    const out: Record<string, number> = {};
    for (const v of data.values) if (v.labels.app === app) out[String(v.labels.status)] = v.value;
    return out;
  }
}
