/**
 * `nano start`: the registry, the admin API with /metrics, the ingress and the worker pool in one
 * process. The serving side (ingress + pool) learns of deploys through ServingState, which reads the
 * registry, so it can move into separate supervised processes without changing the admin side.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { WorkerPool } from "@nano/worker";
import { loadRuntimeSnapshot } from "@nano/worker/isolate";
import { createAdminApi } from "./admin-api.js";
import { loadOrCreateToken } from "./admin-token.js";
import type { ServerConfig } from "./config.js";
import { createIngress, type IngressObserver } from "./ingress.js";
import { LogRing } from "./log-ring.js";
import { createLogger, type Logger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { SecretBox } from "./registry/secret-box.js";
import { SqliteStore } from "./registry/sqlite-store.js";
import { type Listening, listen } from "./server.js";
import { ServingState } from "./serving-state.js";

export interface RunningServer {
  url: string;
  adminUrl: string;
  tokenPath: string | null;
  tokenCreated: boolean;
  /** Ports opened for apps that asked for one. */
  appPorts(): number[];
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, logger: Logger = createLogger()): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const tokenInfo = config.token ? null : loadOrCreateToken(config.dataDir);
  const token = config.token ?? (tokenInfo?.token as string);
  const store = new SqliteStore(
    join(config.dataDir, "registry.db"),
    SecretBox.fromFile(join(config.dataDir, "secret.key")),
  );
  const snapshot = loadRuntimeSnapshot();
  const pool = new WorkerPool({
    snapshot,
    ...(config.threads ? { threads: config.threads } : {}),
    outbound: { allowPrivate: config.allowPrivateFetch },
  });
  const state = new ServingState(store);
  state.watch();
  const metrics = new Metrics();
  const logs = new LogRing();

  const observer: IngressObserver = {
    onRequest(r) {
      metrics.request(r.app, r.status, r.seconds, r.result.cpuMs, r.result.coldStart, r.result.error?.code);
      metrics.queueDepth.set(pool.queueSize);
      for (const l of r.result.logs) {
        logs.add({ time: l.time, app: r.app, level: l.level, msg: l.msg, requestId: r.requestId, version: r.version });
      }
      logs.add({
        time: Date.now(),
        app: r.app,
        level: r.status >= 500 ? "error" : "info",
        msg: `${r.method} ${r.path} ${r.status}${r.result.error ? ` ${r.result.error.code}` : ""}`,
        requestId: r.requestId,
        version: r.version,
        status: r.status,
        durationMs: Math.round(r.seconds * 1e5) / 100,
      });
    },
  };

  const ingress = createIngress({ pool, logger, observer, resolve: (h, p) => state.resolve(h, p) });
  const main = await listen(ingress, { port: config.port, host: config.host });
  // The server's own ports, which no app may claim (the admin port is known once it listens).
  const reservedPorts = [main.port];
  const admin = await listen(
    createAdminApi({
      store,
      state,
      metrics,
      logs,
      token,
      publicMetrics: config.publicMetrics,
      logger,
      deploy: { store, snapshot, reservedPorts },
    }),
    { port: config.adminPort, host: config.adminHost },
  );
  reservedPorts.push(admin.port);

  // Dedicated app ports follow the registry: opened when an app with "port" is active, closed after.
  const appListeners = new Map<number, Promise<Listening | null>>();
  const reconcilePorts = () => {
    for (const port of state.ports.keys()) {
      if (appListeners.has(port)) continue;
      const app = createIngress({ pool, logger, observer, resolve: () => state.resolvePort(port) });
      appListeners.set(
        port,
        listen(app, { port, host: config.host }).catch((err: Error) => {
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

  return {
    url: main.url,
    adminUrl: admin.url,
    tokenPath: tokenInfo?.path ?? null,
    tokenCreated: tokenInfo?.created ?? false,
    appPorts: () => [...appListeners.keys()],
    async close() {
      state.close();
      await Promise.all([
        main.close(),
        admin.close(),
        ...[...appListeners.values()].map((l) => l.then((x) => x?.close())),
      ]);
      await pool.close();
      store.close();
    },
  };
}
