/** @nano/worker — the pool side (main thread), the contract it shares with threads, and the error catalogue. */

/** The global an app script calls with its module factory (the bundler wraps apps in it). */
export { APP_FACTORY_ABI, CLOUDFLARE_WORKERS_EXPORTS, DEFINE_GLOBAL } from "@nano/webapi";
export type {
  AssetServer,
  AssetServerRequest,
  AssetServerResponse,
  AssetServerSpec,
} from "./assets/asset-server.js";
export * from "./contract.js";
export * from "./errors.js";
export { PING_INTERVAL_MS, WebSocketHeartbeat } from "./isolate/websocket-heartbeat.js";
export { KV_LIMITS, type KvListedKey, type KvListPage, type KvStore, type KvValue } from "./kv/kv-store.js";
export {
  type PoolIsolateStats,
  prepareVersion,
  type VersionSpec,
  WorkerPool,
  type WorkerPoolOptions,
} from "./pool/worker-pool.js";
export {
  createRecorderFile,
  type EntryRecorder,
  FlightRecorder,
  RECORDER_SLOTS,
  readRecorderFile,
} from "./thread/flight-recorder.js";
