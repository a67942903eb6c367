/**
 * `nano start`: the supervisor. It keeps the registry (the only writer), the admin API with
 * /metrics, and the aggregation of metrics and logs; it never runs tenant code. Serving happens in N
 * runtime processes (runtime-main.ts) that share the ingress port, and deploy checks in a checker
 * process (checker-main.ts): either may die without taking anything else down. A runtime process
 * that dies is restarted; an app that keeps killing them is quarantined.
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, hostname } from "node:os";
import { join } from "node:path";
import { NanoError } from "@nano/worker";
import { createAdminApi } from "./admin-api.js";
import { loadOrCreateToken } from "./admin-token.js";
import { Checker } from "./checker.js";
import { assetLimits, maxLimits, type ServerConfig } from "./config.js";
import { QuarantinePolicy } from "./crash-policy.js";
import { CronScheduler } from "./cron-scheduler.js";
import { LogRing } from "./log-ring.js";
import { createLogger, type Logger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { SqliteKvStore } from "./registry/kv-sqlite-store.js";
import { openRegistry } from "./registry-open.js";
import { type RuntimeCrash, RuntimeProcesses } from "./runtime-processes.js";
import { listen } from "./server.js";

/** Expired KV entries are invisible at once; their rows are deleted this often. */
const KV_PURGE_EVERY_MS = 60_000;

/** Signals a process raises on itself when V8 or native code fails: SIGTRAP/SIGABRT for V8's fatal errors. */
const FATAL_SIGNALS = new Set<string>(["SIGABRT", "SIGTRAP", "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE"]);

export interface RunningServer {
  url: string;
  adminUrl: string;
  tokenPath: string | null;
  tokenCreated: boolean;
  processes: number;
  /** Drains the runtime processes (up to the drain timeout), then stops everything. */
  close(): Promise<void>;
}

/** At least two runtime processes, so one crash never takes all serving capacity; one per 2 cores. */
export function defaultProcesses(cores = availableParallelism()): number {
  return Math.max(2, Math.floor(cores / 2));
}

/**
 * Threads per runtime process: the cores shared out, at least two each. Making a spare isolate holds
 * its thread for ~8 ms (V8 deserializes the snapshot synchronously); with a second thread, a cold
 * app's request is served from one thread's spare while the other makes its replacement
 * (`scripts/bench cold`: spare hit rate 79% → 100%, isolate-side start 4.9 → 0.8 ms).
 */
export function defaultThreads(processes: number, cores = availableParallelism()): number {
  return Math.max(2, Math.floor(cores / processes));
}

/**
 * Checks that the ingress port is free (runtime processes bind it with SO_REUSEPORT, which would
 * silently share it with another NANO) and turns port 0 into a real one for all of them.
 */
function claimPort(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      reject(new NanoError("NANO_ERR_CONFIG", `cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    probe.listen({ port, host }, () => {
      const actual = (probe.address() as { port: number }).port;
      probe.close(() => resolve(actual));
    });
  });
}

/**
 * Whether the server could listen on an app's dedicated port now: bound without SO_REUSEPORT and
 * closed at once, so a port another process holds in any way counts as taken.
 */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host }, () => probe.close(() => resolve(true)));
  });
}

export async function startServer(config: ServerConfig, logger: Logger = createLogger()): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const tokenInfo = config.token ? null : loadOrCreateToken(config.dataDir);
  const token = config.token ?? (tokenInfo?.token as string);
  const registry = await openRegistry(config, logger);
  const { local, store } = registry;
  // KV shares the registry's file (its own tables); the supervisor reads sizes and purges expired keys.
  const kv = new SqliteKvStore(join(config.dataDir, "registry.db"));
  const purge = setInterval(() => kv.purgeExpired(), KV_PURGE_EVERY_MS).unref();
  // Uploads go to the registry's asset store (PostgreSQL with several nodes); runtime processes read
  // the blobs from the local file, read-only (on several nodes the replicator copies them there).
  const { cronRuns, assets } = registry;
  const count = config.processes ?? defaultProcesses();
  const logs = new LogRing();
  const policy = new QuarantinePolicy({
    crashes: config.quarantineCrashes,
    windowMs: config.quarantineWindowS * 1000,
    cooloffMs: config.quarantineCooloffS * 1000,
  });
  const port = await claimPort(config.port, config.host);

  // The checker first: it also makes the runtime snapshot the runtime processes then read from disk.
  const checker = new Checker(logger);
  await checker.start();

  let runtimes: RuntimeProcesses | null = null;
  /** Each runtime process's open WebSockets by app, as it last reported. */
  const socketsBySlot = new Map<number, Record<string, number>>();
  const metrics = new Metrics({
    websocketsOpen: () => {
      const sum = new Map<string, number>();
      for (const open of socketsBySlot.values())
        for (const [app, n] of Object.entries(open)) sum.set(app, (sum.get(app) ?? 0) + n);
      return sum;
    },
    queueDepth: () => runtimes?.queueDepth ?? 0,
    runtimeProcesses: () => runtimes?.ready ?? 0,
    quarantinedApps: () => local.listApps().filter((a) => (a.quarantine?.untilMs ?? 0) > Date.now()).length,
    runtimeMemory: () => (runtimes?.list() ?? []).filter((p) => p.pid !== null).map((p) => [p.slot, p.rss]),
    kvBytes: () => kv.usage(),
    isolates: () => {
      const sum = { warm: 0, spare: 0, heapBytes: 0 };
      for (const p of runtimes?.list() ?? []) {
        sum.warm += p.isolates?.warm ?? 0;
        sum.spare += p.isolates?.spare ?? 0;
        sum.heapBytes += p.isolates?.heapBytes ?? 0;
      }
      return sum;
    },
  });

  const onCrash = (crash: RuntimeCrash) => {
    metrics.runtimeRestart(crash.reason);
    socketsBySlot.delete(crash.slot);
    const { pid: runtimePid, ...fields } = crash;
    logger.error(
      { event: "runtime-crash", runtimePid, ...fields },
      `runtime process ${crash.slot} (pid ${runtimePid}) died (${crash.signal ?? `exit code ${crash.code}`})` +
        `${crash.apps.length ? ` running ${crash.apps.join(", ")}` : ""}; restarting in ${crash.restartInMs} ms`,
    );
    const now = Date.now();
    // Only a death from inside the process (V8's fatal errors abort or trap) is held against the apps
    // it was running; kill -9, the OOM killer or an exit are not theirs to answer for.
    const fatal = crash.signal !== null && FATAL_SIGNALS.has(crash.signal);
    for (const app of crash.apps) {
      const record = local.getApp(app);
      if (!record) continue;
      logs.add({
        time: now,
        app,
        level: "error",
        msg: `a runtime process died (${crash.signal ?? `exit code ${crash.code}`}) while running this app`,
      });
      if (!fatal) continue;
      const q = policy.crashed(app, now, record.quarantine);
      if (!q) continue;
      // The quarantine is written to the registry (every node's serving sees it) and announced once it
      // is. Failing that (a shared registry that is away), the app keeps serving: said loudly, in the
      // server log and the app's own log, since nothing else will show it.
      const until = new Date(q.untilMs).toISOString();
      const fields = { app, untilMs: q.untilMs, quarantineLevel: q.level, reason: q.reason };
      void store.quarantine(app, q).then(
        () => {
          logger.error({ event: "quarantine", ...fields }, `app ${app} quarantined until ${until}: ${q.reason}`);
          logs.add({ time: now, app, level: "error", msg: `quarantined until ${until}: ${q.reason}` });
          return registry.changed().then(() => runtimes?.refreshAll());
        },
        (err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          const msg = `NOT quarantined (${q.reason}): the registry did not record it (${why}); it keeps serving`;
          logger.error({ event: "quarantine-failed", err, ...fields }, `app ${app} ${msg}`);
          logs.add({ time: Date.now(), app, level: "error", msg });
        },
      );
    }
  };

  runtimes = new RuntimeProcesses({
    count,
    logger,
    settings: {
      host: config.host,
      port,
      dataDir: config.dataDir,
      threads: config.threads ?? defaultThreads(count),
      warmMemoryMb: config.warmMemoryMb / count,
      assetCacheMb: config.assetCacheMb,
      warmIdleMs: config.warmIdleS * 1000,
      allowPrivateFetch: config.allowPrivateFetch,
      cfHeaders: config.cfHeaders,
      appMaxInflight: config.appMaxInflight,
      throttleKills: config.throttleKills,
      throttleWindowMs: config.throttleWindowS * 1000,
      throttleCpuMsPerS: config.throttleCpuMsPerS,
      drainTimeoutMs: config.drainTimeoutS * 1000,
      secretKey: config.secretKey,
      secretKeyFile: config.secretKeyFile,
    },
    onReport(slot, report) {
      const pid = runtimes?.list().find((p) => p.slot === slot)?.pid;
      if (report.isolates && pid) metrics.isolateEvictions(slot, pid, report.isolates.evictions);
      if (report.websockets) {
        socketsBySlot.set(slot, report.websockets.open);
        for (const [app, work] of Object.entries(report.websockets.messages)) metrics.websocketWork(app, work);
        for (const s of report.websockets.logs ?? []) {
          for (const l of s.logs) {
            logs.add({
              time: l.time,
              app: s.app,
              level: l.level,
              msg: l.msg,
              requestId: s.requestId,
              version: s.version,
            });
          }
        }
      }
      for (const [app, codes] of Object.entries(report.refused)) {
        for (const [code, n] of Object.entries(codes)) metrics.refused(app, code, n);
      }
      for (const r of report.requests) {
        if (r.asset) {
          metrics.assetRequest(r.app, r.status, r.seconds);
          continue;
        }
        metrics.request(r.app, r.status, r.seconds, r.cpuMs, r.cold, r.errorCode ?? undefined);
        if (r.logsDropped > 0) metrics.consoleDropped(r.app, r.logsDropped);
        if (r.backgroundStops > 0) metrics.backgroundStopped(r.app, r.backgroundStops);
        if (r.kvOps) metrics.kvOperations(r.app, r.kvOps);
        for (const l of r.logs) {
          logs.add({
            time: l.time,
            app: r.app,
            level: l.level,
            msg: l.msg,
            requestId: r.requestId,
            version: r.version,
          });
        }
        logs.add({
          time: Date.now(),
          app: r.app,
          level: r.status >= 500 ? "error" : "info",
          msg: `${r.method} ${r.path} ${r.status}${r.errorCode ? ` ${r.errorCode}` : ""}`,
          requestId: r.requestId,
          version: r.version,
          status: r.status,
          durationMs: Math.round(r.seconds * 1e5) / 100,
        });
      }
    },
    onCrash,
  });
  try {
    await runtimes.start();
  } catch (err) {
    await runtimes.stop(0);
    await checker.close();
    clearInterval(purge);
    kv.close();
    await registry.close();
    throw err;
  }

  const live = runtimes;
  const scheduler = new CronScheduler({
    store: local,
    runs: cronRuns,
    node: `${hostname()}:${process.pid}`,
    run: (app, cron, at) => live.runScheduled(app, cron, at),
    onOutcome({ app, cron, manual, durationMs, report }) {
      const result = report.error ? "error" : "ok";
      metrics.scheduledRun(app, result, report.cpuMs);
      if (report.kvOps) metrics.kvOperations(app, report.kvOps);
      for (const l of report.logs) logs.add({ time: l.time, app, level: l.level, msg: l.msg, version: report.version });
      const how = manual ? " (nano cron trigger)" : "";
      const error = report.error ? `: ${report.error.code} ${report.error.message}` : "";
      logs.add({
        time: Date.now(),
        app,
        level: report.error ? "error" : "info",
        msg: `scheduled "${cron}"${how} ${result} in ${durationMs} ms${error}`,
        version: report.version,
        durationMs,
        event: "scheduled",
        cron,
        outcome: result,
      });
      logger.info({ event: "scheduled", app, cron, manual, outcome: result, durationMs }, "scheduled run");
    },
  });
  scheduler.reload();
  // A change another node made reached the mirror: the runtime processes and the scheduler see it now.
  registry.onApplied(async () => {
    scheduler.reload();
    await live.refreshAll();
  });
  // The server's own ports, which no app may claim (the admin port is known once it listens).
  const reservedPorts = [port];
  const admin = await listen(
    createAdminApi({
      store,
      reader: local,
      registryHealth: registry.health,
      changed: async () => {
        await registry.changed();
        scheduler.reload();
        await live.refreshAll();
      },
      cron: scheduler,
      runtime: live,
      onLift: (app) => policy.forget(app),
      metrics,
      logs,
      token,
      publicMetrics: config.publicMetrics,
      kv,
      logger,
      deploy: {
        store,
        check: checker.check,
        reservedPorts,
        maxLimits: maxLimits(config),
        portAvailable: (p) => portFree(p, config.host),
        assets,
        assetLimits: assetLimits(config),
      },
    }),
    { port: config.adminPort, host: config.adminHost },
  );
  reservedPorts.push(admin.port);

  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    adminUrl: admin.url,
    tokenPath: tokenInfo?.path ?? null,
    tokenCreated: tokenInfo?.created ?? false,
    processes: count,
    async close() {
      await live.stop(config.drainTimeoutS * 1000);
      scheduler.stop();
      await Promise.all([admin.close(1_000), checker.close()]);
      clearInterval(purge);
      kv.close();
      await registry.close();
    },
  };
}
