/**
 * A runtime process of `nano start`: its own ingress on the shared ports (SO_REUSEPORT) and its own
 * worker pool of isolate threads, serving what the registry says (read-only). It holds tenant code,
 * so it may die: the supervisor restarts it, and learns from its flight recorder which apps were
 * running. Requests are reported to the supervisor in batches (metrics, log rings): no IPC round
 * trip per request. SIGTERM drains it: stop accepting, finish what is in flight (up to a deadline),
 * exit 0. It exits at once when the supervisor is gone.
 */
import { join } from "node:path";
import { NanoError, WorkerPool } from "@nano/worker";
import { loadRuntimeSnapshot } from "@nano/worker/isolate";
import { AppGovernor } from "./app-governor.js";
import { AssetGate } from "./assets/asset-gate.js";
import { createIngress, type IngressObserver } from "./ingress.js";
import {
  type FromRuntime,
  type RequestReport,
  RUNTIME_SETTINGS_ENV,
  type RuntimeSettings,
  type SocketWork,
  type ToRuntime,
} from "./ipc.js";
import { createLogger } from "./logger.js";
import { SqliteAssetStore } from "./registry/asset-sqlite-store.js";
import { SecretBox } from "./registry/secret-box.js";
import { configuredKey } from "./registry/secret-key.js";
import { SqliteStore } from "./registry/sqlite-store.js";
import { type Listening, listen } from "./server.js";
import { ServingState } from "./serving-state.js";
import { WebSocketGateway, type WebSocketObserver } from "./websocket-upgrade.js";

const REPORT_EVERY_MS = 100;
const HEARTBEAT_EVERY_MS = 1_000;

const settings = JSON.parse(process.env[RUNTIME_SETTINGS_ENV] ?? "null") as RuntimeSettings | null;
if (!settings || !process.send) {
  console.error("nano: the runtime process is started by `nano start`, not directly");
  process.exit(2);
}
const send = (msg: FromRuntime) => {
  if (process.connected) process.send?.(msg);
};
process.on("disconnect", () => process.exit(0));

const logger = createLogger({ buffered: true }).child({ runtime: settings.slot });
const store = new SqliteStore(
  join(settings.dataDir, "registry.db"),
  configuredKey(settings) ?? SecretBox.fromFile(join(settings.dataDir, "secret.key"), { create: false }),
  { readonly: true },
);
const state = new ServingState(store);
state.watch();
const pool = new WorkerPool({
  snapshot: loadRuntimeSnapshot(),
  threads: settings.threads,
  outbound: { allowPrivate: settings.allowPrivateFetch },
  recorderPath: settings.recorderPath,
  // KV is in the registry's file: each thread opens its own writable connection to it.
  kv: {
    module: new URL("./registry/kv-sqlite-store.js", import.meta.url).href,
    options: { path: join(settings.dataDir, "registry.db") },
  },
  // `env.ASSETS`: each thread reads asset blobs from the same file, read-only.
  assets: {
    module: new URL("./assets/thread-asset-server.js", import.meta.url).href,
    options: { path: join(settings.dataDir, "registry.db") },
  },
  warmMemoryMb: settings.warmMemoryMb,
  warmIdleMs: settings.warmIdleMs,
});
// Static assets are answered here, before the pool, from the registry file (read-only) through a bounded cache.
const assets = new AssetGate(
  new SqliteAssetStore(join(settings.dataDir, "registry.db"), { readonly: true }),
  settings.assetCacheMb * 1024 * 1024,
);
const governor = new AppGovernor({
  maxInflight: settings.appMaxInflight,
  throttleKills: settings.throttleKills,
  throttleWindowMs: settings.throttleWindowMs,
  throttleCpuMsPerS: settings.throttleCpuMsPerS,
});

let batch: RequestReport[] = [];
let refused: Record<string, Record<string, number>> = {};
let pendingReports = 0;
let lastReport = 0;
let inflight = 0;
const flush = () => {
  lastReport = performance.now();
  const requests = batch;
  const counts = refused;
  const messages = socketMessages;
  const logs = socketLogs;
  batch = [];
  refused = {};
  socketMessages = {};
  socketLogs = [];
  pendingReports = 0;
  send({
    t: "report",
    requests,
    refused: counts,
    queueDepth: pool.queueSize,
    rss: process.memoryUsage.rss(),
    isolates: pool.isolateStats(),
    websockets: { open: Object.fromEntries(socketCounts), messages, logs },
  });
};
setInterval(() => {
  if (pendingReports > 0 || performance.now() - lastReport >= HEARTBEAT_EVERY_MS) flush();
}, REPORT_EVERY_MS).unref();

const observer: IngressObserver = {
  onRequest(r) {
    if (r.refused) {
      // A throttled app's clients may retry thousands of times a second: counted, not itemised.
      const code = r.result.error?.code ?? "NANO_ERR_INTERNAL";
      const app = refused[r.app] ?? {};
      app[code] = (app[code] ?? 0) + 1;
      refused[r.app] = app;
      pendingReports++;
      return;
    }
    pendingReports++;
    batch.push({
      requestId: r.requestId,
      app: r.app,
      version: r.version,
      method: r.method,
      path: r.path,
      status: r.status,
      seconds: r.seconds,
      cpuMs: r.result.cpuMs,
      cold: r.result.coldStart,
      ...(r.asset ? { asset: true as const } : {}),
      errorCode: r.result.error?.code ?? null,
      logs: r.result.logs,
      logsDropped: r.result.logsDropped ?? 0,
      backgroundStops: r.result.backgroundStops ?? 0,
      ...(r.result.kvOps && Object.keys(r.result.kvOps).length > 0 ? { kvOps: r.result.kvOps } : {}),
    });
  },
};
const counting = <T>(p: Promise<T>) => {
  inflight++;
  return p.finally(() => inflight--);
};
// Open WebSockets by app (a gauge, sent whole) and their messages since the last report.
const socketCounts = new Map<string, number>();
let socketMessages: Record<string, SocketWork> = {};
let socketLogs: NonNullable<Extract<FromRuntime, { t: "report" }>["websockets"]>["logs"] = [];
const socketWork = (app: string): SocketWork => {
  let w = socketMessages[app];
  if (!w) {
    w = { in: 0, out: 0, cpuMs: 0, kills: {} };
    socketMessages[app] = w;
  }
  pendingReports++;
  return w;
};
const socketObserver: WebSocketObserver = {
  onOpen() {
    pendingReports++;
  },
  onClose() {
    pendingReports++;
  },
  onMessages(app, direction, count) {
    socketWork(app)[direction] += count;
  },
  onCpu(app, cpuMs, errorCode) {
    const w = socketWork(app);
    w.cpuMs += cpuMs;
    if (errorCode) w.kills[errorCode] = (w.kills[errorCode] ?? 0) + 1;
    // A message handler that keeps running away throttles its app like a request that does.
    governor.charge(app, cpuMs, errorCode);
  },
  onLogs(req, logs) {
    socketLogs.push({ app: req.app, version: req.version, requestId: req.requestId, logs });
    pendingReports++;
  },
};
/** One ingress and its listener's WebSocket gateway (the open-socket count is shared by the process). */
const ingressFor = (resolve: Parameters<typeof createIngress>[0]["resolve"]) => {
  const websockets = new WebSocketGateway({ logger, observer: socketObserver, counts: socketCounts });
  const ingress = createIngress({
    pool,
    logger,
    observer,
    governor,
    resolve,
    cfHeaders: settings.cfHeaders,
    assets,
    websockets,
  });
  // Requests in flight, for the drain.
  const fetch = ingress.fetch;
  ingress.fetch = (req, env, ctx) => counting(Promise.resolve(fetch(req, env, ctx)));
  return { ingress, websockets };
};
const serve = (resolve: Parameters<typeof createIngress>[0]["resolve"], port: number) => {
  const { ingress, websockets } = ingressFor(resolve);
  return listen(ingress, { port, host: settings.host, reusePort: true, websockets });
};

const main = await serve((h, p) => state.resolve(h, p), settings.port);

// Dedicated app ports follow the registry, in every runtime process alike.
const appListeners = new Map<number, Promise<Listening | null>>();
const reconcilePorts = () => {
  for (const port of state.ports.keys()) {
    if (appListeners.has(port)) continue;
    appListeners.set(
      port,
      serve(() => state.resolvePort(port), port).catch((err: Error) => {
        logger.error({ port, err: err.message }, "cannot open the app's port");
        appListeners.delete(port);
        return null;
      }),
    );
  }
  for (const [port, listening] of appListeners) {
    if (state.ports.has(port)) continue;
    appListeners.delete(port);
    void listening.then((l) => l?.close());
  }
};
state.onChange(reconcilePorts);
reconcilePorts();
await Promise.all(appListeners.values());

process.on("message", (msg: ToRuntime) => {
  if (msg.t === "refresh") {
    state.refresh();
    send({ t: "refreshed", id: msg.id, generation: state.generation });
  } else if (msg.t === "scheduled") {
    void runScheduled(msg);
  }
});

/** One cron occurrence, on the app's active version as this process sees the registry now. */
async function runScheduled(msg: Extract<ToRuntime, { t: "scheduled" }>): Promise<void> {
  state.refresh();
  const wire = state.wireFor(msg.app);
  if (wire === null || wire instanceof Error) {
    const error = wire ?? new NanoError("NANO_ERR_NOT_FOUND", `no app named "${msg.app}"`);
    const result = { error: { code: error.code, message: error.message }, noRetry: false, logs: [], cpuMs: 0 };
    send({ t: "scheduledDone", id: msg.id, result: { ...result, coldStart: false, version: "" } });
    return;
  }
  inflight++;
  try {
    const result = await pool.scheduled(wire, msg.cron, msg.scheduledTime);
    send({
      t: "scheduledDone",
      id: msg.id,
      result: { ...result, version: wire.id.split("@")[1]?.split(":")[0] ?? "" },
    });
  } finally {
    inflight--;
  }
}

let draining = false;
const drain = async () => {
  if (draining) return;
  draining = true;
  state.close();
  const deadline = settings.drainTimeoutMs;
  const listeners = [main, ...(await Promise.all(appListeners.values()))].filter((l): l is Listening => l !== null);
  const closed = Promise.all(listeners.map((l) => l.close(deadline)));
  const until = performance.now() + deadline;
  while (inflight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  // Streamed responses may still be going out: the listeners close them at the deadline at the latest.
  await closed;
  await pool.destroy();
  flush();
  // Let the last report reach the supervisor before the channel closes.
  await new Promise((r) => setTimeout(r, 20));
  process.exit(0);
};
process.on("SIGTERM", () => void drain());
process.on("SIGINT", () => {}); // Ctrl-C reaches the whole process group: the supervisor decides.

send({ t: "ready", port: main.port });
