/**
 * Fair use of one runtime process by its apps, decided at the ingress before a request reaches a
 * thread:
 * - an app has at most `maxInflight` requests in flight or queued here, so one app cannot fill every
 *   thread's queue;
 * - an app whose requests keep exceeding their CPU budget (`throttleKills` CPU-limit kills within
 *   `throttleWindowMs`) is throttled: it may then use `throttleCpuMsPerS` of CPU per second (a token
 *   bucket that starts empty), and past that its requests are answered at once with 503 and
 *   Retry-After instead of holding a thread that well-behaved apps need. The throttle ends when the
 *   window holds fewer kills.
 * State is per app and dropped when an app is idle and clean, so it stays as small as the busy set.
 */
import { NanoError } from "@nano/worker";

export interface GovernorOptions {
  maxInflight: number;
  throttleKills: number;
  throttleWindowMs: number;
  throttleCpuMsPerS: number;
  now?: () => number;
}

interface AppState {
  inflight: number;
  /** Times of recent CPU-limit kills, oldest first. */
  kills: number[];
  /** CPU milliseconds a throttled app may still spend (negative: its debt). */
  tokens: number;
  refilledAt: number;
}

export class AppGovernor {
  readonly #opts: Required<GovernorOptions>;
  readonly #apps = new Map<string, AppState>();

  constructor(opts: GovernorOptions) {
    this.#opts = { now: () => performance.now(), ...opts };
  }

  /** Null to go ahead (then `release` exactly once), or the error to answer with. */
  admit(app: string): NanoError | null {
    const now = this.#opts.now();
    let s = this.#apps.get(app);
    if (!s) {
      s = { inflight: 0, kills: [], tokens: 0, refilledAt: now };
      this.#apps.set(app, s);
    }
    if (s.inflight >= this.#opts.maxInflight) {
      return new NanoError(
        "NANO_ERR_APP_OVERLOADED",
        `the app has ${s.inflight} requests in flight, the most one process takes`,
        { retryAfter: 1 },
      );
    }
    if (this.#throttled(s, now)) {
      this.#refill(s, now);
      if (s.tokens <= 0) {
        const rate = this.#opts.throttleCpuMsPerS;
        return new NanoError(
          "NANO_ERR_APP_THROTTLED",
          `the app keeps exceeding its CPU limit; it may use ${rate} ms of CPU per second until it stops`,
          { retryAfter: Math.max(1, Math.ceil(-s.tokens / rate)) },
        );
      }
    }
    s.inflight++;
    return null;
  }

  /** A request admitted earlier finished: what it cost and how it ended. */
  release(app: string, cpuMs: number, errorCode: string | undefined): void {
    const s = this.#apps.get(app);
    if (!s) return;
    s.inflight = Math.max(0, s.inflight - 1);
    this.#charge(app, s, cpuMs, errorCode);
  }

  /**
   * Work of the app that was never admitted as a request (its WebSocket messages): its CPU counts
   * against a throttled app's allowance, and a CPU-limit kill towards the throttle, as a request's do.
   */
  charge(app: string, cpuMs: number, errorCode: string | undefined): void {
    let s = this.#apps.get(app);
    if (!s) {
      if (errorCode !== "NANO_ERR_CPU_LIMIT") return;
      s = { inflight: 0, kills: [], tokens: 0, refilledAt: this.#opts.now() };
      this.#apps.set(app, s);
    }
    this.#charge(app, s, cpuMs, errorCode);
  }

  #charge(app: string, s: AppState, cpuMs: number, errorCode: string | undefined): void {
    const now = this.#opts.now();
    const wasThrottled = this.#throttled(s, now);
    if (errorCode === "NANO_ERR_CPU_LIMIT") s.kills.push(now);
    if (this.#throttled(s, now)) {
      if (wasThrottled) this.#refill(s, now);
      else {
        // Entering the throttle: the bucket starts empty.
        s.tokens = 0;
        s.refilledAt = now;
      }
      s.tokens -= cpuMs;
    }
    if (s.inflight === 0 && s.kills.length === 0) this.#apps.delete(app);
  }

  /** Whether `app` is throttled now (for tests and diagnostics). */
  isThrottled(app: string): boolean {
    const s = this.#apps.get(app);
    return s !== undefined && this.#throttled(s, this.#opts.now());
  }

  #throttled(s: AppState, now: number): boolean {
    const from = now - this.#opts.throttleWindowMs;
    while (s.kills.length > 0 && (s.kills[0] as number) < from) s.kills.shift();
    return s.kills.length >= this.#opts.throttleKills;
  }

  #refill(s: AppState, now: number): void {
    const rate = this.#opts.throttleCpuMsPerS;
    s.tokens = Math.min(rate, s.tokens + ((now - s.refilledAt) / 1000) * rate);
    s.refilledAt = now;
  }
}
