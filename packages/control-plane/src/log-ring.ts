/**
 * Recent log records per app in bounded memory rings, for `GET /v1/apps/:name/logs` and `nano logs -f`:
 * a follower gets each new record as it is added.
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
}

export class LogRing {
  readonly #size: number;
  readonly #rings = new Map<string, AppLogRecord[]>();
  readonly #followers = new Map<string, Set<(r: AppLogRecord) => void>>();

  constructor(size = 1000) {
    this.#size = size;
  }

  add(record: AppLogRecord): void {
    let ring = this.#rings.get(record.app);
    if (!ring) {
      ring = [];
      this.#rings.set(record.app, ring);
    }
    ring.push(record);
    if (ring.length > this.#size) ring.splice(0, ring.length - this.#size);
    for (const f of this.#followers.get(record.app) ?? []) f(record);
  }

  recent(app: string, limit = this.#size): AppLogRecord[] {
    return (this.#rings.get(app) ?? []).slice(-limit);
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
    this.#rings.delete(app);
  }
}
