/**
 * Prometheus metrics (prom-client, one registry per server). The ingress reports each request; the
 * deploy pipeline reports deploys. Names follow DESIGN.md §8.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

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
  readonly queueDepth = new Gauge({
    name: "nano_queue_depth",
    help: "Requests waiting for a worker thread",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  request(app: string, status: number, seconds: number, cpuMs: number, cold: boolean, errorCode?: string): void {
    this.#requests.inc({ app, status: String(status) });
    this.#duration.observe({ app }, seconds);
    this.#cpu.inc({ app }, cpuMs / 1000);
    this.#starts.inc({ app, kind: cold ? "cold" : "warm" });
    const reason =
      errorCode === "NANO_ERR_CPU_LIMIT"
        ? "cpu"
        : errorCode === "NANO_ERR_MEMORY_LIMIT"
          ? "memory"
          : errorCode === "NANO_ERR_WALL_LIMIT"
            ? "wall"
            : null;
    if (reason) this.#kills.inc({ app, reason });
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
