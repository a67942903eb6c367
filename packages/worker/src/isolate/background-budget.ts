/**
 * Work an app does outside any request (timers and fetch continuations that outlive the request that
 * started them) has a budget of its own per isolate: CPU_MS_PER_S of CPU per second on average, with
 * BURST_MS of burst. Without it each such entry got a fresh budget and a few intervals could keep a
 * thread busy for every other app on it. An isolate over the budget has its background timers
 * cleared (logged and counted); an entry that runs past ENTRY_LIMIT_MS is stopped like a request.
 */
export const CPU_MS_PER_S = 100;
export const BURST_MS = 200;
/** Less than this left and background work waits (a stream) or stops (timers) rather than start an entry it could not finish. */
export const MIN_ENTRY_MS = 10;
/**
 * What one background entry may run before it is stopped as a runaway, whatever is left: an entry
 * may overdraw the budget (a GC pause in a legitimate stream pull is no runaway), and the debt
 * delays the next entries until the budget refills, so the average stays CPU_MS_PER_S.
 */
export const ENTRY_LIMIT_MS = 100;
/** Live timers one isolate may hold. */
export const MAX_TIMERS = 1_000;

export class BackgroundBudget {
  #tokensMs = BURST_MS;
  #at = performance.now();

  /** Milliseconds of CPU background work may use now. */
  available(): number {
    const now = performance.now();
    this.#tokensMs = Math.min(BURST_MS, this.#tokensMs + ((now - this.#at) / 1000) * CPU_MS_PER_S);
    this.#at = now;
    return this.#tokensMs;
  }

  charge(ms: number): void {
    this.#tokensMs -= ms;
  }
}
