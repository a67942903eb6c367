/**
 * Keeps a node's local registry.db a replica of the PostgreSQL registry (PostgreSQL mode). It LISTENs
 * for the NOTIFY every registry write sends and also compares generations every second, which
 * covers notifications missed while the connection was down. When PostgreSQL is away it keeps the
 * last state (the runtime processes go on serving it), reports why (/readyz), and retries with
 * backoff until it catches up.
 */
import type { Logger } from "./logger.js";
import { readSnapshot } from "./registry/mirror-snapshot.js";
import { isUnavailable } from "./registry/pg-errors.js";
import { NOTIFY_CHANNEL, type PostgresStore } from "./registry/postgres-store.js";
import type { SqliteMirror } from "./registry/sqlite-mirror.js";

const CHECK_EVERY_MS = 1_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;

export interface RegistryHealth {
  available: boolean;
  /** Why not, while it is not (the last error), and since when. */
  reason?: string;
  since?: string;
}

export interface ReplicatorOptions {
  pg: PostgresStore;
  mirror: SqliteMirror;
  logger: Logger;
  /** The mirror changed: tell the runtime processes (and the cron scheduler) now. */
  onApplied(): Promise<void> | void;
}

export class RegistryReplicator {
  readonly #opts: ReplicatorOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;
  #forced = true;
  #health: RegistryHealth = { available: true };
  #failures = 0;
  #retryAt = 0;
  #listening: { unlisten(): Promise<void> } | null = null;
  #stopped = false;
  #lastCheck = 0;

  constructor(opts: ReplicatorOptions) {
    this.#opts = opts;
  }

  /** The first full copy (before the runtime processes start), then LISTEN and the periodic check. */
  async start(): Promise<void> {
    await this.sync();
    await this.#listen();
    this.#timer = setInterval(() => {
      const due = this.#health.available ? this.#lastCheck + CHECK_EVERY_MS : this.#retryAt;
      if (Date.now() >= due) void this.sync().catch(() => {});
    }, BACKOFF_MIN_MS).unref();
  }

  get health(): RegistryHealth {
    return this.#health;
  }

  /**
   * Brings the mirror up to PostgreSQL as it is now: a sync that starts after this call (one already
   * running may have read an older state). Rejects while PostgreSQL is away.
   */
  sync(): Promise<void> {
    if (this.#queued) return this.#queued;
    const after = this.#running ?? Promise.resolve();
    const next = after
      .catch(() => {})
      .then(() => {
        this.#queued = null;
        this.#running = next;
        return this.#syncOnce();
      })
      .finally(() => {
        if (this.#running === next) this.#running = null;
      });
    this.#queued = next;
    return next;
  }

  async #syncOnce(): Promise<void> {
    if (this.#stopped) return;
    const { pg, mirror } = this.#opts;
    try {
      const local = mirror.generation();
      const remote = await pg.generation();
      if (remote !== local || this.#forced) {
        const snapshot = await readSnapshot(pg.sql, mirror.held());
        mirror.apply(snapshot);
        this.#forced = false;
        await this.#opts.onApplied();
      }
      await this.#recovered();
      this.#lastCheck = Date.now();
    } catch (err) {
      this.#failed(err);
      throw err;
    }
  }

  async #recovered(): Promise<void> {
    if (this.#health.available) return;
    this.#opts.logger.info({ event: "registry-reconnected" }, "the registry database is reachable again; caught up");
    this.#health = { available: true };
    this.#failures = 0;
    this.#retryAt = 0;
    // The client re-LISTENs once after a dropped connection; if that attempt failed too, do it now.
    await this.#listen();
  }

  #failed(err: unknown): void {
    const reason = `the registry database is unreachable: ${(err as Error).message?.split("\n")[0] ?? String(err)}`;
    this.#failures++;
    this.#retryAt = Date.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.#failures - 1));
    if (this.#health.available) {
      this.#health = { available: false, reason, since: new Date().toISOString() };
      const level = isUnavailable(err) ? "warn" : "error";
      this.#opts.logger[level]({ event: "registry-unavailable", err }, `${reason}; serving the last known state`);
    } else {
      this.#health = { ...this.#health, reason };
    }
  }

  async #listen(): Promise<void> {
    const previous = this.#listening;
    this.#listening = null;
    await previous?.unlisten().catch(() => {});
    try {
      this.#listening = await this.#opts.pg.sql.listen(
        NOTIFY_CHANNEL,
        () => void this.sync().catch(() => {}),
        // After every (re)connection of the listener: catch up on what was missed meanwhile.
        () => void this.sync().catch(() => {}),
      );
    } catch (err) {
      this.#failed(err);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#listening?.unlisten().catch(() => {});
    await this.#running?.catch(() => {});
  }
}
