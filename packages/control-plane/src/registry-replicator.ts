/**
 * Keeps a node's local registry.db a replica of the PostgreSQL registry (PostgreSQL mode). It LISTENs
 * for the NOTIFY every registry write sends and also compares generations every second, which
 * covers notifications missed while the connection was down. When PostgreSQL is away it keeps the
 * last state (the runtime processes go on serving it), reports why (/readyz), and retries with
 * backoff until it catches up.
 */
import type postgres from "postgres";
import type { Logger } from "./logger.js";
import { readSnapshot } from "./registry/mirror-snapshot.js";
import { pgClient } from "./registry/pg-client.js";
import { isUnavailable, registryError } from "./registry/pg-errors.js";
import { NOTIFY_CHANNEL, type PostgresStore } from "./registry/postgres-store.js";
import type { SqliteMirror } from "./registry/sqlite-mirror.js";

const CHECK_EVERY_MS = 1_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** With no answer for this long the registry counts as unavailable, and a sync as failed. */
const STALE_MS = 4_000;
const COPY_TIMEOUT_MS = 120_000;

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
  #client: postgres.Sql | null = null;
  #stopped = false;
  #lastCheck = 0;

  constructor(opts: ReplicatorOptions) {
    this.#opts = opts;
  }

  /** The first full copy (before the runtime processes start), then LISTEN and the periodic check. */
  async start(): Promise<void> {
    await this.sync();
    this.#timer = setInterval(() => {
      const due = this.#health.available ? this.#lastCheck + CHECK_EVERY_MS : this.#retryAt;
      if (Date.now() >= due) void this.sync().catch(() => {});
    }, BACKOFF_MIN_MS).unref();
  }

  /** Unavailable after a failed check, or when no check has answered for a while (a hung connection). */
  get health(): RegistryHealth {
    const silent = Date.now() - this.#lastCheck;
    if (this.#health.available && this.#lastCheck > 0 && silent > STALE_MS) {
      return {
        available: false,
        reason: `the registry database has not answered for ${Math.round(silent / 1000)} s`,
        since: new Date(this.#lastCheck).toISOString(),
      };
    }
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
    const { mirror } = this.#opts;
    try {
      const local = mirror.generation();
      // A connection that hangs (no RST from a host that is gone) must not stop the checks.
      const fresh = this.#client === null;
      const sql = this.#connection();
      const [row] = await withTimeout(
        sql<{ value: string }[]>`SELECT value FROM meta WHERE key = 'generation'`,
        STALE_MS,
      );
      const remote = Number(row?.value ?? 0);
      // A new connection LISTENs again (the notifications of the old one are lost with it).
      if (fresh) await this.#listen(sql);
      if (remote !== local || this.#forced) {
        // Bounded too: a first copy of many bundles takes a while, a hung one must not take forever.
        const snapshot = await withTimeout(readSnapshot(sql, mirror.held()), COPY_TIMEOUT_MS);
        mirror.apply(snapshot);
        this.#forced = false;
        await this.#opts.onApplied();
      }
      await this.#recovered();
      this.#lastCheck = Date.now();
    } catch (err) {
      this.#failed(err);
      this.#drop();
      throw err;
    }
  }

  /**
   * The replicator's own connection (LISTEN and checks), apart from the admin side's pool: after
   * any failure it is dropped and made again, so a connection left hanging by a database that went
   * away never stalls the checks.
   */
  #connection(): postgres.Sql {
    this.#client ??= pgClient(this.#opts.pg.url, { max: 1 });
    return this.#client;
  }

  #drop(): void {
    const old = this.#client;
    this.#client = null;
    this.#listening = null;
    void old?.end({ timeout: 0 }).catch(() => {});
  }

  async #recovered(): Promise<void> {
    if (this.#health.available) return;
    this.#opts.logger.info({ event: "registry-reconnected" }, "the registry database is reachable again; caught up");
    this.#health = { available: true };
    this.#failures = 0;
    this.#retryAt = 0;
  }

  #failed(err: unknown): void {
    const message = (registryError(err) as Error).message?.split("\n")[0] ?? String(err);
    const reason = isUnavailable(err) ? message : `the registry could not be copied: ${message}`;
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

  async #listen(sql: postgres.Sql): Promise<void> {
    this.#listening = await withTimeout(
      sql.listen(
        NOTIFY_CHANNEL,
        () => void this.sync().catch(() => {}),
        // After every (re)connection of the listener: catch up on what was missed meanwhile.
        () => void this.sync().catch(() => {}),
      ),
      STALE_MS,
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => {});
    await this.#listening?.unlisten().catch(() => {});
    await this.#client?.end({ timeout: 1 }).catch(() => {});
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms / 1000} s`), { code: "CONNECT_TIMEOUT" })),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
