/**
 * The messages between the supervisor (`nano start`) and the processes it runs: runtime processes
 * (ingress + worker pool) and the deploy checker. They travel over Node's IPC channel with the
 * `advanced` serialization (structured clone), so bytes stay bytes. Neither side imports the other.
 */
import type { AppLimits, LogRecord, PoolIsolateStats, ScheduledResult } from "@nano/worker";

/** What a runtime process is told at start (in NANO_RUNTIME_SETTINGS, as JSON). */
export interface RuntimeSettings {
  /** Which of the supervisor's runtime processes this is (1..N); stable across restarts. */
  slot: number;
  host: string;
  port: number;
  dataDir: string;
  threads: number;
  allowPrivateFetch: boolean;
  /** `request.cf` fields from trusted proxy headers (config `cfHeaders`). */
  cfHeaders: Record<string, string>;
  recorderPath: string;
  appMaxInflight: number;
  throttleKills: number;
  throttleWindowMs: number;
  throttleCpuMsPerS: number;
  drainTimeoutMs: number;
  /** This process's share of the server's warm-isolate budget (config warmMemoryMb / processes). */
  warmMemoryMb: number;
  /** The asset blobs this process keeps in memory, in MiB (config assetCacheMb). */
  assetCacheMb: number;
  warmIdleMs: number;
  /**
   * The configured secret-sealing key (hex) or key file, to open the mirror's sealed secrets; null:
   * the data directory's secret.key. In the environment of the child only, never on its command line.
   */
  secretKey: string | null;
  secretKeyFile: string | null;
}

/** One request a runtime process answered, as the supervisor's metrics and log rings need it. */
export interface RequestReport {
  requestId: string;
  app: string;
  version: string;
  method: string;
  path: string;
  status: number;
  seconds: number;
  cpuMs: number;
  cold: boolean;
  /** Answered from static assets by the ingress (no isolate). */
  asset?: true;
  errorCode: string | null;
  logs: LogRecord[];
  logsDropped: number;
  backgroundStops: number;
  /** KV operations by kind, when the app made any. */
  kvOps?: Record<string, number>;
}

export type ToRuntime =
  | { t: "refresh"; id: number }
  /** Run one cron occurrence of the app's active version (answered by "scheduledDone"). */
  | { t: "scheduled"; id: number; app: string; cron: string; scheduledTime: number };

/** What a scheduled run came to, with the version that ran it ("" if none could). */
export type ScheduledReport = ScheduledResult & { version: string };

/** An app's WebSocket work in a runtime process since its last report. */
export interface SocketWork {
  in: number;
  out: number;
  cpuMs: number;
  kills: Record<string, number>;
}

export type FromRuntime =
  | { t: "ready"; port: number }
  | { t: "refreshed"; id: number; generation: number }
  | { t: "scheduledDone"; id: number; result: ScheduledReport }
  /** Sent every 100 ms while requests flow, and at least once a second (the supervisor's heartbeat). */
  | {
      t: "report";
      requests: RequestReport[];
      /** Requests answered at once without reaching a thread (throttled, overloaded): counts by app and code. */
      refused: Record<string, Record<string, number>>;
      queueDepth: number;
      rss: number;
      /** Its threads' warm and spare isolates, their heap, and evictions since it started. */
      isolates: PoolIsolateStats;
      /**
       * Its open WebSockets by app (now), and by app since the last report: their messages, the CPU
       * their message entries used, and the limit kills during one (by error code).
       */
      websockets?: {
        open: Record<string, number>;
        messages: Record<string, SocketWork>;
        /** Console output of the apps' message and close handlers, with the request that opened the socket. */
        logs: { app: string; version: string; requestId: string; logs: LogRecord[] }[];
      };
    };

export interface CheckRequest {
  t: "check";
  id: number;
  code: string;
  name: string;
  vars: Record<string, string>;
  limits: Partial<AppLimits>;
  kv?: Record<string, string>;
}

export type ToChecker = CheckRequest;

export type FromChecker =
  | { t: "ready" }
  | { t: "checked"; id: number; kind: "module" | "service-worker"; cachedData: Uint8Array | null }
  | { t: "failed"; id: number; code: string; message: string };

/** The environment variable that carries RuntimeSettings to a runtime process. */
export const RUNTIME_SETTINGS_ENV = "NANO_RUNTIME_SETTINGS";
