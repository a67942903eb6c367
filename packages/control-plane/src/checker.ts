/**
 * The supervisor's side of the deploy checker (checker-main.ts): one child process that loads
 * bundles in throwaway isolates, one check at a time. The supervisor never runs tenant code itself: a
 * bundle whose top level kills V8 kills the checker, fails its own deploy with
 * NANO_ERR_APP_CHECK_CRASHED, and a new checker takes the next check. Nothing else notices.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type ErrorCode, NanoError } from "@nano/worker";
import type { CheckedApp } from "./app-check.js";
import type { AppChecker } from "./deploy.js";
import type { CheckRequest, FromChecker } from "./ipc.js";
import type { Logger } from "./logger.js";

const ENTRY = fileURLToPath(new URL("./checker-main.js", import.meta.url));
/** A check is CPU-bounded at 1 s inside the isolate; this only catches a checker that hangs. */
const CHECK_DEADLINE_MS = 30_000;

interface Job {
  request: CheckRequest;
  resolve(app: CheckedApp): void;
  reject(err: NanoError): void;
}

export class Checker {
  readonly #logger: Logger;
  #child: ChildProcess | null = null;
  #ready: Promise<void> | null = null;
  #queue: Job[] = [];
  #current: Job | null = null;
  #deadline: NodeJS.Timeout | null = null;
  #timedOut = false;
  #nextId = 1;
  #closed = false;
  /** Deaths with no check running (a broken checker, not a hostile app): slows respawning. */
  #idleDeaths = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Starts the checker process; resolves once it has loaded the runtime snapshot. */
  start(): Promise<void> {
    this.#ready ??= new Promise<void>((resolve, reject) => {
      const child = fork(ENTRY, [], {
        execArgv: ["--no-node-snapshot"],
        serialization: "advanced",
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      this.#child = child;
      child.on("message", (msg: FromChecker) => {
        if (msg.t === "ready") {
          this.#idleDeaths = 0;
          resolve();
          this.#pump();
        } else this.#settle(msg);
      });
      child.once("exit", (code, signal) => {
        reject(new NanoError("NANO_ERR_INTERNAL", `the deploy checker exited (${signal ?? `code ${code}`})`));
        this.#onExit(child, code, signal);
      });
    });
    return this.#ready;
  }

  check: AppChecker = (code, opts) =>
    new Promise<CheckedApp>((resolve, reject) => {
      if (this.#closed) return reject(new NanoError("NANO_ERR_UNAVAILABLE", "the server is shutting down"));
      const request: CheckRequest = { t: "check", id: this.#nextId++, code, ...opts };
      this.#queue.push({ request, resolve, reject });
      void this.start().then(
        () => this.#pump(),
        () => {},
      );
    });

  #pump(): void {
    if (this.#current || !this.#child?.connected) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#current = job;
    this.#timedOut = false;
    this.#deadline = setTimeout(() => {
      this.#timedOut = true;
      this.#child?.kill("SIGKILL");
    }, CHECK_DEADLINE_MS);
    this.#child.send(job.request);
  }

  #settle(msg: Exclude<FromChecker, { t: "ready" }>): void {
    const job = this.#current;
    if (!job || job.request.id !== msg.id) return;
    this.#finish();
    if (msg.t === "checked") {
      const cachedData = msg.cachedData
        ? (msg.cachedData.buffer.slice(
            msg.cachedData.byteOffset,
            msg.cachedData.byteOffset + msg.cachedData.byteLength,
          ) as ArrayBuffer)
        : null;
      job.resolve({ kind: msg.kind, cachedData });
    } else job.reject(new NanoError(msg.code as ErrorCode, msg.message));
    this.#pump();
  }

  #finish(): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#deadline = null;
    this.#current = null;
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child) return;
    this.#child = null;
    this.#ready = null;
    const job = this.#current;
    this.#finish();
    if (job) {
      const how = signal ?? `exit code ${code}`;
      const err = this.#timedOut
        ? new NanoError("NANO_ERR_APP_LOAD", `the app's check did not finish within ${CHECK_DEADLINE_MS / 1000} s`)
        : new NanoError(
            "NANO_ERR_APP_CHECK_CRASHED",
            `loading the app crashed the process that checked it (${how}); it would crash the serving processes too`,
          );
      this.#logger.warn({ app: job.request.name, signal, code }, "a deploy check crashed the checker process");
      job.reject(err);
    } else if (!this.#closed) {
      this.#idleDeaths++;
      this.#logger.error({ signal, code }, "the deploy checker process died");
    }
    if (this.#closed) return;
    // Respawn at once after a hostile bundle; a checker that dies on its own is retried more slowly.
    const delay = job ? 0 : Math.min(10_000, 250 * 2 ** Math.min(this.#idleDeaths, 6));
    setTimeout(() => {
      if (!this.#closed && (this.#queue.length > 0 || !this.#child)) void this.start().catch(() => {});
    }, delay).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0))
      job.reject(new NanoError("NANO_ERR_UNAVAILABLE", "the server is shutting down"));
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
}
