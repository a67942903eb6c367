/**
 * The app's timers (setTimeout/setInterval inside the isolate are host timers): bounded per isolate,
 * each charged to the request that set it while that request is pending, else to background work,
 * and cleared when background work goes over its budget.
 */

import type { BridgeFunctions } from "@nano/webapi";
import type { LogRecord } from "../contract.js";
import { CPU_MS_PER_S, MAX_TIMERS } from "./background-budget.js";

export interface IsolateTimersOptions {
  /** The request the running entry belongs to (null: none). */
  owner(): number | null;
  isPending(id: number): boolean;
  /** Runs the timer's entry on behalf of `owner`. */
  enter(owner: number | null, name: "fireTimer", args: unknown[]): void;
  /** The isolate was stopped. */
  dead(): boolean;
  onLog(record: LogRecord): void;
  onBackgroundStopped(): void;
}

export class IsolateTimers {
  readonly #opts: IsolateTimersOptions;
  readonly #timers = new Map<number, { handle: NodeJS.Timeout; owner: number | null }>();

  constructor(opts: IsolateTimersOptions) {
    this.#opts = opts;
  }

  readonly functions: Pick<BridgeFunctions, "setTimer" | "clearTimer"> = {
    setTimer: (id, delayMs) => {
      if (this.#timers.size >= MAX_TIMERS) throw new RangeError(`an isolate may hold at most ${MAX_TIMERS} timers`);
      const owner = this.#opts.owner();
      const handle = setTimeout(() => this.#fire(id), Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
      this.#timers.set(id, { handle, owner });
    },
    clearTimer: (id) => {
      const t = this.#timers.get(id);
      if (t) clearTimeout(t.handle);
      this.#timers.delete(id);
    },
  };

  /** The isolate stopped: no timer fires again. */
  clearAll(): void {
    for (const t of this.#timers.values()) clearTimeout(t.handle);
    this.#timers.clear();
  }

  /**
   * Background work is over its budget: clears every timer that no pending request owns, so the app's
   * leftover intervals stop instead of taking the thread from other apps. Logged for the app, counted.
   */
  stopBackground(): void {
    let cleared = 0;
    for (const [id, t] of this.#timers) {
      if (t.owner !== null && this.#opts.isPending(t.owner)) continue;
      clearTimeout(t.handle);
      this.#timers.delete(id);
      cleared++;
    }
    if (cleared === 0) return;
    this.#opts.onLog({
      level: "warn",
      msg:
        `[nano] background work stopped: timers that outlive their request may use ${CPU_MS_PER_S} ms of CPU ` +
        `per second; ${cleared} timer(s) cleared`,
      time: Date.now(),
    });
    this.#opts.onBackgroundStopped();
  }

  #fire(id: number): void {
    const t = this.#timers.get(id);
    if (!t || this.#opts.dead()) return;
    this.#timers.delete(id);
    const owner = t.owner !== null && this.#opts.isPending(t.owner) ? t.owner : null;
    this.#opts.enter(owner, "fireTimer", [id]);
  }
}
