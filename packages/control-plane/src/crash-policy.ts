/**
 * What the supervisor does about dead runtime processes: how soon to restart one (at once, then
 * backing off while it keeps dying), and when an app that was running inside dead processes is
 * quarantined (after `crashes` deaths within `windowMs`, for a cool-off that doubles with each
 * quarantine in a row). Pure bookkeeping over timestamps, so it is tested without processes.
 */
import type { Quarantine } from "./registry/store.js";

/** Deaths of one runtime slot within this window count as "keeps dying". */
const RESTART_WINDOW_MS = 30_000;
const RESTART_FIRST_BACKOFF_MS = 250;
const RESTART_MAX_BACKOFF_MS = 10_000;
const MAX_COOLOFF_MS = 3_600_000;
/** A quarantine that ended this long ago no longer doubles the next one. */
const LEVEL_MEMORY_MS = 86_400_000;

/** Restart delays of one runtime slot: 0 for a first death, then 250 ms, 500 ms, … up to 10 s. */
export class RestartBackoff {
  #deaths: number[] = [];

  /** Records a death at `now`; returns how long to wait before restarting. */
  died(now: number): number {
    this.#deaths = this.#deaths.filter((t) => t > now - RESTART_WINDOW_MS);
    this.#deaths.push(now);
    const n = this.#deaths.length;
    return n <= 1 ? 0 : Math.min(RESTART_MAX_BACKOFF_MS, RESTART_FIRST_BACKOFF_MS * 2 ** (n - 2));
  }
}

export interface QuarantinePolicyOptions {
  crashes: number;
  windowMs: number;
  cooloffMs: number;
}

export class QuarantinePolicy {
  readonly #opts: QuarantinePolicyOptions;
  readonly #crashes = new Map<string, number[]>();

  constructor(opts: QuarantinePolicyOptions) {
    this.#opts = opts;
  }

  /**
   * Records that `app` was running in a process that died at `now`. Returns the quarantine to put in
   * force, or null while the app is under the threshold. `previous` is the app's last quarantine.
   */
  crashed(app: string, now: number, previous: Quarantine | null): Omit<Quarantine, "since"> | null {
    const times = (this.#crashes.get(app) ?? []).filter((t) => t > now - this.#opts.windowMs);
    times.push(now);
    if (times.length < this.#opts.crashes) {
      this.#crashes.set(app, times);
      return null;
    }
    this.#crashes.delete(app);
    const level = previous && previous.untilMs > now - LEVEL_MEMORY_MS ? previous.level + 1 : 1;
    const cooloff = Math.min(MAX_COOLOFF_MS, this.#opts.cooloffMs * 2 ** (level - 1));
    return {
      untilMs: now + cooloff,
      level,
      reason: `${times.length} crashes of its runtime processes within ${Math.round(this.#opts.windowMs / 1000)} s`,
    };
  }

  /** Forgets an app's crashes (a new version, a lifted quarantine). */
  forget(app: string): void {
    this.#crashes.delete(app);
  }
}
