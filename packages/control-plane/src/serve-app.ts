/**
 * `nano serve`: one app folder served directly — bundled, checked in a throwaway isolate, then every
 * request on the port goes through the worker pool to that app. The same pipeline as a deploy.
 */
import { prepareVersion, type VersionWire, WorkerPool } from "@nano/worker";
import { loadRuntimeSnapshot } from "@nano/worker/isolate";
import { checkApp } from "./app-check.js";
import { AppGovernor } from "./app-governor.js";
import { AssetGate } from "./assets/asset-gate.js";
import { loadDevAssets } from "./assets/dev-assets.js";
import { bundleApp } from "./bundler.js";
import { DEFAULTS as CONFIG_DEFAULTS } from "./config.js";
import { createIngress } from "./ingress.js";
import { createLogger, type Logger } from "./logger.js";
import { listen } from "./server.js";
import { WebSocketGateway } from "./websocket-upgrade.js";

export interface ServeOptions {
  path: string;
  port?: number;
  host?: string;
  threads?: number;
  /** Let the app fetch loopback and private addresses (local development). */
  allowPrivateFetch?: boolean;
  logger?: Logger;
}

export interface ServingApp {
  name: string;
  url: string;
  version: VersionWire;
  close(): Promise<void>;
}

export async function serveApp(opts: ServeOptions): Promise<ServingApp> {
  const logger = opts.logger ?? createLogger();
  const bundle = await bundleApp(opts.path);
  const snapshot = loadRuntimeSnapshot();
  const vars = bundle.manifest.vars ?? {};
  const checked = checkApp(snapshot, bundle.code, {
    name: bundle.name,
    vars,
    limits: bundle.manifest.limits,
    ...(bundle.manifest.kv ? { kv: bundle.manifest.kv } : {}),
  });
  // Static assets: stored and indexed as a deploy would, in a temporary registry file.
  const assets = bundle.manifest.assets ? await loadDevAssets(bundle.dir, bundle.manifest.assets) : null;
  const version = prepareVersion({
    app: bundle.name,
    version: "dev",
    code: bundle.code,
    cachedData: checked.cachedData,
    vars,
    // Bound without storage: a call rejects saying that `nano serve` has no KV (`nano start` has).
    ...(bundle.manifest.kv ? { kv: bundle.manifest.kv } : {}),
    limits: bundle.manifest.limits,
    ...(assets ? { assets: { binding: assets.index.binding, index: JSON.stringify(assets.index) } } : {}),
  });
  const pool = new WorkerPool({
    ...(assets
      ? {
          assets: {
            module: new URL("./assets/thread-asset-server.js", import.meta.url).href,
            options: { path: assets.path },
          },
        }
      : {}),
    ...(opts.threads ? { threads: opts.threads } : {}),
    snapshot,
    outbound: { allowPrivate: opts.allowPrivateFetch ?? false },
  });
  const governor = new AppGovernor({
    maxInflight: CONFIG_DEFAULTS.appMaxInflight,
    throttleKills: CONFIG_DEFAULTS.throttleKills,
    throttleWindowMs: CONFIG_DEFAULTS.throttleWindowS * 1000,
    throttleCpuMsPerS: CONFIG_DEFAULTS.throttleCpuMsPerS,
  });
  const websockets = new WebSocketGateway({ logger });
  const ingress = createIngress({
    pool,
    logger,
    governor,
    resolve: () => version,
    websockets,
    ...(assets ? { assets: new AssetGate(assets.store) } : {}),
  });
  const server = await listen(ingress, { port: opts.port ?? 8080, host: opts.host ?? "127.0.0.1", websockets });
  return {
    name: bundle.name,
    url: server.url,
    version,
    async close() {
      await server.close();
      await pool.close();
      assets?.close();
    },
  };
}
