/**
 * The supervisor's runtime processes (runtime-main.ts): N of them share the ingress port, each with
 * its own pool of isolate threads. One that dies (a V8 fatal error, OOM, kill -9) is restarted at
 * once, then with backoff while it keeps dying; the others serve throughout. Its flight recorder
 * names the apps that were inside an isolate when it died. One that stops reporting for 10 s is
 * killed and restarted. A dead supervisor takes them along: they exit when the IPC channel closes.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRecorderFile, type PoolIsolateStats, readRecorderFile } from "@nano/worker";
import { RestartBackoff } from "./crash-policy.js";
import {
  type FromRuntime,
  RUNTIME_SETTINGS_ENV,
  type RuntimeSettings,
  type ScheduledReport,
  type ToRuntime,
} from "./ipc.js";
import type { Logger } from "./logger.js";

const ENTRY = fileURLToPath(new URL("./runtime-main.js", import.meta.url));
const UNRESPONSIVE_MS = 10_000;
const REFRESH_TIMEOUT_MS = 2_000;

export type RuntimeState = "starting" | "ready" | "restarting" | "stopped";

export interface RuntimeInfo {
  slot: number;
  pid: number | null;
  state: RuntimeState;
  restarts: number;
  startedAt: string | null;
  rss: number;
  queueDepth: number;
  /** Its isolates as it last reported (null before its first report). */
  isolates: PoolIsolateStats | null;
}

export interface RuntimeCrash {
  slot: number;
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Label for nano_runtime_restarts_total: the signal, "exit" (an exit code) or "unresponsive". */
  reason: string;
  /** Apps inside an isolate entry when the process died. */
  apps: string[];
  uptimeMs: number;
  restartInMs: number;
}

export interface RuntimeProcessesOptions {
  count: number;
  settings: Omit<RuntimeSettings, "slot" | "recorderPath">;
  logger: Logger;
  onReport(slot: number, msg: Extract<FromRuntime, { t: "report" }>): void;
  onCrash(crash: RuntimeCrash): void;
}

interface Slot {
  slot: number;
  recorderPath: string;
  child: ChildProcess | null;
  state: RuntimeState;
  restarts: number;
  startedAt: number;
  lastHeard: number;
  unresponsive: boolean;
  backoff: RestartBackoff;
  rss: number;
  queueDepth: number;
  isolates: PoolIsolateStats | null;
  restartTimer: NodeJS.Timeout | null;
}

function failedRun(code: string, message: string): ScheduledReport {
  return { error: { code, message }, noRetry: false, logs: [], cpuMs: 0, coldStart: false, version: "" };
}

export class RuntimeProcesses {
  readonly #opts: RuntimeProcessesOptions;
  readonly #slots: Slot[];
  readonly #refreshes = new Map<number, { waiting: Set<number>; done(): void }>();
  #nextRefresh = 1;
  /** Scheduled runs sent to a process, by id: settled by its answer or its death. */
  readonly #scheduled = new Map<number, { slot: number; done(result: ScheduledReport): void }>();
  #nextScheduled = 1;
  #roundRobin = 0;
  #stopping = false;
  readonly #watchdog: NodeJS.Timeout;
  #readyWaiters: (() => void)[] = [];

  constructor(opts: RuntimeProcessesOptions) {
    this.#opts = opts;
    const runDir = join(opts.settings.dataDir, "run");
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    this.#slots = Array.from({ length: opts.count }, (_, i) => ({
      slot: i + 1,
      recorderPath: join(runDir, `runtime-${i + 1}.rec`),
      child: null,
      state: "stopped" as RuntimeState,
      restarts: 0,
      startedAt: 0,
      lastHeard: 0,
      unresponsive: false,
      backoff: new RestartBackoff(),
      rss: 0,
      queueDepth: 0,
      isolates: null,
      restartTimer: null,
    }));
    this.#watchdog = setInterval(() => this.#checkHeartbeats(), 1_000).unref();
  }

  /** Starts every process; resolves when all listen, rejects if one cannot start. */
  async start(): Promise<void> {
    await Promise.all(this.#slots.map((s) => this.#spawn(s)));
  }

  #spawn(s: Slot): Promise<void> {
    createRecorderFile(s.recorderPath);
    const settings: RuntimeSettings = { ...this.#opts.settings, slot: s.slot, recorderPath: s.recorderPath };
    const child = fork(ENTRY, [], {
      execArgv: ["--no-node-snapshot"],
      env: { ...process.env, [RUNTIME_SETTINGS_ENV]: JSON.stringify(settings) },
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    s.child = child;
    s.state = "starting";
    s.startedAt = Date.now();
    s.lastHeard = Date.now();
    s.unresponsive = false;
    return new Promise<void>((resolve, reject) => {
      child.on("message", (msg: FromRuntime) => {
        s.lastHeard = Date.now();
        if (msg.t === "ready") {
          s.state = "ready";
          resolve();
          for (const w of this.#readyWaiters.splice(0)) w();
        } else if (msg.t === "report") {
          s.rss = msg.rss;
          s.queueDepth = msg.queueDepth;
          s.isolates = msg.isolates;
          this.#opts.onReport(s.slot, msg);
        } else if (msg.t === "scheduledDone") {
          const run = this.#scheduled.get(msg.id);
          this.#scheduled.delete(msg.id);
          run?.done(msg.result);
        } else if (msg.t === "refreshed") {
          const r = this.#refreshes.get(msg.id);
          r?.waiting.delete(s.slot);
          if (r && r.waiting.size === 0) r.done();
        }
      });
      child.once("exit", (code, signal) => {
        reject(new Error(`runtime process ${s.slot} exited before it was ready (${signal ?? `code ${code}`})`));
        this.#onExit(s, child, code, signal);
      });
    });
  }

  #onExit(s: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (s.child !== child) return;
    s.child = null;
    for (const r of this.#refreshes.values()) {
      r.waiting.delete(s.slot);
      if (r.waiting.size === 0) r.done();
    }
    for (const [id, run] of this.#scheduled) {
      if (run.slot !== s.slot) continue;
      this.#scheduled.delete(id);
      run.done(
        failedRun("NANO_ERR_INTERNAL", `the runtime process died (${signal ?? `exit code ${code}`}) during the run`),
      );
    }
    if (this.#stopping) {
      s.state = "stopped";
      return;
    }
    const now = Date.now();
    const restartInMs = s.backoff.died(now);
    s.state = "restarting";
    s.restarts++;
    this.#opts.onCrash({
      slot: s.slot,
      pid: child.pid ?? 0,
      code,
      signal,
      reason: s.unresponsive ? "unresponsive" : (signal ?? "exit"),
      apps: readRecorderFile(s.recorderPath),
      uptimeMs: now - s.startedAt,
      restartInMs,
    });
    s.restartTimer = setTimeout(() => {
      s.restartTimer = null;
      if (this.#stopping) return;
      this.#spawn(s).catch((err: Error) =>
        this.#opts.logger.error({ slot: s.slot, err: err.message }, "restart failed"),
      );
    }, restartInMs);
  }

  #checkHeartbeats(): void {
    const now = Date.now();
    for (const s of this.#slots) {
      if (s.state !== "ready" || !s.child || now - s.lastHeard < UNRESPONSIVE_MS) continue;
      this.#opts.logger.error({ slot: s.slot, pid: s.child.pid }, "runtime process stopped responding; killing it");
      s.unresponsive = true;
      s.child.kill("SIGKILL");
    }
  }

  /** Processes serving now. */
  get ready(): number {
    return this.#slots.filter((s) => s.state === "ready").length;
  }

  /** Resolves when at least one process serves (immediately if one does). */
  whenReady(): Promise<void> {
    if (this.ready > 0) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  get queueDepth(): number {
    return this.#slots.reduce((n, s) => n + (s.state === "ready" ? s.queueDepth : 0), 0);
  }

  list(): RuntimeInfo[] {
    return this.#slots.map((s) => ({
      slot: s.slot,
      pid: s.child?.pid ?? null,
      state: s.state,
      restarts: s.restarts,
      startedAt: s.child ? new Date(s.startedAt).toISOString() : null,
      rss: s.rss,
      queueDepth: s.queueDepth,
      isolates: s.state === "ready" ? s.isolates : null,
    }));
  }

  /**
   * Makes every serving process re-read the registry now, so a request after a deploy's answer sees
   * the new version. A process that does not answer in time still polls the registry on its own.
   */
  refreshAll(): Promise<void> {
    const targets = this.#slots.filter((s) => s.state === "ready" && s.child?.connected);
    if (targets.length === 0) return Promise.resolve();
    const id = this.#nextRefresh++;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), REFRESH_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        this.#refreshes.delete(id);
        resolve();
      };
      this.#refreshes.set(id, { waiting: new Set(targets.map((s) => s.slot)), done });
      for (const s of targets) s.child?.send({ t: "refresh", id } satisfies ToRuntime);
    });
  }

  /**
   * Runs one cron occurrence of `app` in a serving process (taking turns), like a request: resolves
   * with its outcome, never rejects (no process serving, or one dying mid-run, is an error outcome).
   */
  runScheduled(app: string, cron: string, scheduledTime: number): Promise<ScheduledReport> {
    const ready = this.#slots.filter((s) => s.state === "ready" && s.child?.connected);
    if (ready.length === 0) return Promise.resolve(failedRun("NANO_ERR_UNAVAILABLE", "no runtime process is serving"));
    const s = ready[this.#roundRobin++ % ready.length] as Slot;
    const id = this.#nextScheduled++;
    return new Promise((resolve) => {
      this.#scheduled.set(id, { slot: s.slot, done: resolve });
      s.child?.send({ t: "scheduled", id, app, cron, scheduledTime } satisfies ToRuntime);
    });
  }

  /** SIGTERM to every process (they drain), SIGKILL to any still running after `deadlineMs` + 5 s. */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#watchdog);
    const exits: Promise<void>[] = [];
    for (const s of this.#slots) {
      if (s.restartTimer) clearTimeout(s.restartTimer);
      const child = s.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      exits.push(
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill("SIGKILL"), deadlineMs + 5_000);
          child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill("SIGTERM");
        }),
      );
    }
    await Promise.all(exits);
  }
}
