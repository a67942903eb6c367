/**
 * Recent log records per app in bounded memory rings, for `GET /v1/apps/:name/logs` and `nano logs -f`:
 * a follower gets each new record as it is added. Bounded by count and by characters, per app and in
 * total (the app with the largest ring gives up its oldest records first), so no tenant's console can
 * grow the supervisor.
 */
export interface AppLogRecord {
  time: number;
  app: string;
  level: string;
  msg: string;
  requestId?: string;
  version?: string;
  status?: number;
  durationMs?: number;
  /** A cron run's record: `"scheduled"`, with its cron and outcome. */
  event?: "scheduled";
  cron?: string;
  outcome?: "ok" | "error";
}

interface Ring {
  records: AppLogRecord[];
  chars: number;
}

export interface LogRingLimits {
  /** Records per app. */
  records: number;
  /** Characters of messages per app. */
  appChars: number;
  /** Characters of messages in all rings together. */
  totalChars: number;
}

const DEFAULT_LIMITS: LogRingLimits = { records: 1000, appChars: 2 * 1024 * 1024, totalChars: 64 * 1024 * 1024 };

export class LogRing {
  readonly #limits: LogRingLimits;
  readonly #rings = new Map<string, Ring>();
  readonly #followers = new Map<string, Set<(r: AppLogRecord) => void>>();
  #totalChars = 0;

  constructor(limits: Partial<LogRingLimits> | number = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...(typeof limits === "number" ? { records: limits } : limits) };
  }

  add(record: AppLogRecord): void {
    let ring = this.#rings.get(record.app);
    if (!ring) {
      ring = { records: [], chars: 0 };
      this.#rings.set(record.app, ring);
    }
    ring.records.push(record);
    ring.chars += record.msg.length;
    this.#totalChars += record.msg.length;
    while (
      ring.records.length > this.#limits.records ||
      (ring.chars > this.#limits.appChars && ring.records.length > 1)
    ) {
      this.#dropOldest(ring);
    }
    while (this.#totalChars > this.#limits.totalChars) {
      let largest: Ring | null = null;
      for (const r of this.#rings.values()) if (!largest || r.chars > largest.chars) largest = r;
      if (!largest || largest.records.length === 0) break;
      this.#dropOldest(largest);
    }
    for (const f of this.#followers.get(record.app) ?? []) f(record);
  }

  #dropOldest(ring: Ring): void {
    const old = ring.records.shift();
    if (!old) return;
    ring.chars -= old.msg.length;
    this.#totalChars -= old.msg.length;
  }

  recent(app: string, limit = this.#limits.records): AppLogRecord[] {
    return (this.#rings.get(app)?.records ?? []).slice(-limit);
  }

  /** Characters held in all rings (for tests and diagnostics). */
  get totalChars(): number {
    return this.#totalChars;
  }

  follow(app: string, fn: (r: AppLogRecord) => void): () => void {
    let set = this.#followers.get(app);
    if (!set) {
      set = new Set();
      this.#followers.set(app, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  drop(app: string): void {
    const ring = this.#rings.get(app);
    if (ring) this.#totalChars -= ring.chars;
    this.#rings.delete(app);
  }
}
