/**
 * Every synchronous entry into one isolate (`applySync`, with a timeout): charges its CPU to the
 * request that owns it or to the isolate's background budget, stops runaways, and queues background
 * entries (fetch continuations, stream pulls, socket messages) while that budget is spent.
 */

import type { EntryPointName } from "@nano/webapi";
import type ivm from "isolated-vm";
import { NanoError } from "../errors.js";
import type { EntryRecorder } from "../thread/flight-recorder.js";
import { BackgroundBudget, ENTRY_LIMIT_MS, MIN_ENTRY_MS } from "./background-budget.js";
import type { CpuShare } from "./cpu-share.js";
import type { HostSocket } from "./websocket-bridge.js";

export type EntryRef = ivm.Reference<(...args: unknown[]) => unknown>;

/** #run's answer when it queued the entry for later (the background budget is spent). */
const DEFERRED = Symbol("deferred");
/** How often deferred background entries look for budget again. */
const DEFER_MS = 50;
export const NS_PER_MS = 1_000_000n;

/** A pending request's CPU: what it may use and what its entries have used. */
export interface ChargedRequest {
  budgetNs: bigint;
  cpuNs: bigint;
}

/** What the runner needs of its isolate. */
export interface EntryHost {
  isolate: ivm.Isolate;
  entry(name: EntryPointName): EntryRef;
  /** The calling thread's CPU share, which sizes entry timeouts. */
  share: CpuShare;
  recorder(): EntryRecorder;
  /** Why the isolate was stopped, or null while it runs. */
  dead(): NanoError | null;
  /** Request `id`, while it is pending. */
  pending(id: number): ChargedRequest | undefined;
  /** Ends request `id` (it is no longer pending) and hands it over to be failed. */
  settle(id: number): { reject(err: NanoError): void } | undefined;
  kill(reason: NanoError): void;
  /** Host time spent in callbacks (crypto, KV), outside the isolate's CPU clock. */
  hostNs(): bigint;
  /** The CPU those host callbacks may use in this entry. */
  budget(ns: bigint): void;
  uncaught(err: unknown, owner: number | null): void;
  /** The background budget is spent: stop the app's leftover timers. */
  stopBackground(): void;
}

type Deferred = [EntryPointName, unknown[], ((cpuMs: number) => void) | undefined, HostSocket | undefined];

export class EntryRunner {
  readonly #host: EntryHost;
  /** The request the running entry belongs to (null: none). */
  #current: number | null = null;
  /** The socket whose message or close is being entered. */
  #socketEntry: HostSocket | null = null;
  readonly #deferred: Deferred[] = [];
  #drainTimer: NodeJS.Timeout | null = null;
  /** CPU for entries no request owns (timers and fetches of finished requests). */
  readonly #background = new BackgroundBudget();
  /** Nesting of synchronous entries: the recorder marks only the outermost. */
  #depth = 0;

  constructor(host: EntryHost) {
    this.#host = host;
  }

  get current(): number | null {
    return this.#current;
  }

  get socketEntry(): HostSocket | null {
    return this.#socketEntry;
  }

  /** Runs `fn` as a synchronous entry for the flight recorder (the app's top-level code). */
  nest<T>(fn: () => T): T {
    const recorder = this.#host.recorder();
    if (this.#depth++ === 0) recorder.enter();
    try {
      return fn();
    } finally {
      if (--this.#depth === 0) recorder.leave();
    }
  }

  /** The isolate stopped: deferred entries will never run (their `done` hears 0 ms). */
  stop(): void {
    for (const [, , done] of this.#deferred.splice(0)) done?.(0);
    if (this.#drainTimer) clearTimeout(this.#drainTimer);
  }

  /**
   * Runs one synchronous entry on behalf of `owner` (a pending request, or null), charging its CPU
   * time and stopping it at the owner's remaining budget. A timeout or a memory kill disposes the isolate.
   */
  enter(
    owner: number | null,
    name: EntryPointName,
    args: unknown[],
    draining = false,
    done?: (cpuMs: number) => void,
    socket?: HostSocket,
  ): void {
    if (done === undefined) {
      this.#run(owner, name, args, draining);
      return;
    }
    // `done` hears when the entry ran (or will never run) and its CPU: a deferred entry takes it along.
    const isolate = this.#host.isolate;
    let deferred = false;
    const before = isolate.isDisposed ? null : isolate.cpuTime;
    const previous = this.#socketEntry;
    this.#socketEntry = socket ?? null;
    try {
      deferred = this.#run(owner, name, args, draining, done, socket) === DEFERRED;
    } finally {
      this.#socketEntry = previous;
      const used = before === null || isolate.isDisposed ? 0 : Number(isolate.cpuTime - before) / 1e6;
      if (!deferred) done(used);
    }
  }

  #run(
    owner: number | null,
    name: EntryPointName,
    args: unknown[],
    draining: boolean,
    done?: (cpuMs: number) => void,
    socket?: HostSocket,
  ): typeof DEFERRED | undefined {
    const host = this.#host;
    const isolate = host.isolate;
    const dead = host.dead();
    if (dead) {
      if (owner !== null) host.settle(owner)?.reject(new NanoError(dead.code, dead.message));
      return;
    }
    const pending = owner === null ? undefined : host.pending(owner);
    let budgetNs: bigint;
    if (pending) budgetNs = pending.budgetNs - pending.cpuNs;
    else {
      const available = this.#background.available();
      if (name !== "fireTimer" && (available < MIN_ENTRY_MS || (this.#deferred.length > 0 && !draining))) {
        // A fetch continuation, a stream pull or a socket message is never dropped: it waits, in order, for the budget.
        this.#defer(name, args, done, socket);
        return DEFERRED;
      }
      if (available < MIN_ENTRY_MS) {
        host.stopBackground();
        return;
      }
      budgetNs = BigInt(Math.ceil(Math.max(available, ENTRY_LIMIT_MS))) * NS_PER_MS;
    }
    const remainingMs = Math.max(1, Number(budgetNs / NS_PER_MS));
    // isolated-vm's timeout is wall-clock: it stops runaway code just past the remaining budget,
    // stretched by the thread's measured CPU share so a descheduled thread is not mistaken for a
    // runaway. The budget itself is checked on the isolate's CPU clock after the entry.
    const timeout = host.share.timeoutFor(remainingMs);
    const before = isolate.cpuTime;
    const wallBefore = process.hrtime.bigint();
    // Crypto and KV run in host callbacks, outside the isolate's CPU clock: measured and charged apart.
    const hostBefore = host.hostNs();
    host.budget(budgetNs);
    const previous = this.#current;
    this.#current = owner;
    const recorder = host.recorder();
    if (this.#depth++ === 0) recorder.enter();
    let timedOut = false;
    let uncaught: unknown = null;
    try {
      // Primitives pass as they are; only an ArrayBuffer body needs the (slower) structured copy.
      const copy = args.some((a) => a !== null && typeof a === "object");
      if (copy) host.entry(name).applySync(undefined, args, { arguments: { copy: true }, timeout });
      else host.entry(name).applySync(undefined, args as ivm.Transferable[], { timeout });
    } catch (err) {
      if (isolate.isDisposed) {
        host.kill(new NanoError("NANO_ERR_MEMORY_LIMIT"));
        return;
      }
      if (err instanceof Error && /timed out/i.test(err.message)) timedOut = true;
      // An uncaught exception in a timer callback or an unhandled rejection: the app's bug, logged with
      // its own frames only; the host frames behind isolated-vm's boundary go to the operator's log.
      else uncaught = err;
    } finally {
      this.#current = previous;
      if (--this.#depth === 0) recorder.leave();
    }
    if (uncaught !== null) host.uncaught(uncaught, owner);
    if (isolate.isDisposed) return;
    const cpuNs = isolate.cpuTime - before;
    host.share.observe(cpuNs, process.hrtime.bigint() - wallBefore);
    const usedNs = cpuNs + (host.hostNs() - hostBefore);
    // Charged before any kill, so what a runaway cost is reported (and throttled) too.
    if (pending) pending.cpuNs += usedNs;
    else this.#background.charge(Number(usedNs) / 1e6);
    if (timedOut) {
      // The guard is wall-clock: a request's entry stopped before it used a quarter of its CPU budget
      // was held off its core (a loaded machine), not running away. That request fails; the isolate
      // and the other requests in it go on. A real runaway, or work outside a request, stops the isolate.
      if (pending && usedNs * 4n < budgetNs && owner !== null) {
        host.settle(owner)?.reject(new NanoError("NANO_ERR_CPU_LIMIT"));
        return;
      }
      host.kill(new NanoError("NANO_ERR_CPU_LIMIT"));
      return;
    }
    // Over budget and still unanswered (or no request at all): stop the isolate. A request that
    // answered within this entry is done; the wall timeout above bounds how far it could go over.
    const stillPending = owner !== null && host.pending(owner) !== undefined;
    if ((pending && stillPending && pending.cpuNs > pending.budgetNs) || (!pending && usedNs > budgetNs)) {
      host.kill(new NanoError("NANO_ERR_CPU_LIMIT"));
    }
  }

  /** Background entries waiting for the budget to refill (drained in order). */
  #defer(name: EntryPointName, args: unknown[], done?: (cpuMs: number) => void, socket?: HostSocket): void {
    this.#deferred.push([name, args, done, socket]);
    if (this.#drainTimer === null) this.#drainTimer = setTimeout(() => this.#drain(), DEFER_MS);
  }

  #drain(): void {
    this.#drainTimer = null;
    while (this.#deferred.length > 0 && !this.#host.dead()) {
      if (this.#background.available() < MIN_ENTRY_MS) {
        this.#drainTimer = setTimeout(() => this.#drain(), DEFER_MS);
        return;
      }
      const [name, args, done, socket] = this.#deferred.shift() as Deferred;
      this.enter(null, name, args, true, done, socket);
    }
  }
}
