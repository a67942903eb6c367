/**
 * Keeps a node's local registry.db a replica of the PostgreSQL registry (PostgreSQL mode). It LISTENs
 * for the NOTIFY every registry write sends and also compares generations every second, which
 * covers notifications missed while the connection was down. When PostgreSQL is away it keeps the
 * last state (the runtime processes go on serving it), reports why (/readyz), and retries with
 * backoff until it catches up.
 */
import type postgres from "postgres";
import type { Logger } from "./logger.js";
import { copyMissingBlobs, manifestAssetHashes } from "./registry/asset-mirror-copy.js";
import type { SqliteAssetStore } from "./registry/asset-sqlite-store.js";
import { type MirrorSnapshot, readSnapshot, versionKey } from "./registry/mirror-snapshot.js";
import { pgClient } from "./registry/pg-client.js";
import { isUnavailable, registryError } from "./registry/pg-errors.js";
import { withTimeout } from "./registry/pg-timeout.js";
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
  /** The local file's asset blobs, written here only: a snapshot's blobs are copied before it applies. */
  assets: SqliteAssetStore;
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
  /** Versions (versionKey) whose blobs are local: checked once per process, not at every sync. */
  #blobsHeld = new Set<string>();

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
        await this.#copyBlobs(sql, snapshot);
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
   * Copies the blobs the snapshot's versions name that the local file lacks, before the snapshot
   * applies. Held versions are checked too (once per process): a node whose mirror predates the copy.
   */
  async #copyBlobs(sql: postgres.Sql, snapshot: MirrorSnapshot): Promise<void> {
    const keys = new Set<string>();
    const hashes: string[] = [];
    for (const v of snapshot.versions) {
      const key = versionKey(v.app, v.version, v.hash);
      keys.add(key);
      if (this.#blobsHeld.has(key)) continue;
      const manifest = v.body?.manifest ?? this.#opts.mirror.manifest(v.app, v.version);
      if (manifest) hashes.push(...manifestAssetHashes(manifest));
    }
    if (hashes.length > 0) {
      // Each answer is progress: a long copy does not count as a silent database (/readyz).
      const r = await copyMissingBlobs(sql, this.#opts.assets, hashes, () => {
        this.#lastCheck = Date.now();
      });
      if (r.copied > 0) {
        this.#opts.logger.info(
          { event: "assets-copied", blobs: r.copied, bytes: r.bytes },
          `copied ${r.copied} asset file(s) from the registry database`,
        );
      }
      if (r.absent.length > 0) {
        this.#opts.logger.error(
          { event: "assets-absent", blobs: r.absent.length, first: r.absent[0] },
          `${r.absent.length} asset file(s) named by versions are not in the registry database; their requests fail`,
        );
      }
    }
    this.#blobsHeld = keys;
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
