/** Cron runs in the registry's SQLite file (migration 5): the primary key is the claim. */
import Database from "better-sqlite3";
import type { CronRun, CronStore } from "./cron-store.js";

/** Runs kept per app and cron; older rows are deleted as new ones are claimed. */
const KEEP_RUNS = 20;

export class SqliteCronStore implements CronStore {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = new Database(path, { fileMustExist: true });
    this.#db.pragma("busy_timeout = 5000");
    this.#db.pragma("synchronous = FULL");
  }

  async claim(app: string, cron: string, scheduledMs: number, node: string, startedMs: number): Promise<boolean> {
    const claimed =
      this.#db
        .prepare(
          `INSERT INTO cron_runs (app, cron, scheduled_ms, node, started_ms) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (app, cron, scheduled_ms) DO NOTHING`,
        )
        .run(app, cron, scheduledMs, node, startedMs).changes === 1;
    if (claimed) {
      this.#db
        .prepare(
          `DELETE FROM cron_runs WHERE app = ? AND cron = ? AND scheduled_ms NOT IN
           (SELECT scheduled_ms FROM cron_runs WHERE app = ? AND cron = ? ORDER BY scheduled_ms DESC LIMIT ?)`,
        )
        .run(app, cron, app, cron, KEEP_RUNS);
    }
    return claimed;
  }

  async finish(
    app: string,
    cron: string,
    scheduledMs: number,
    outcome: "ok" | "error",
    error: string | null,
  ): Promise<void> {
    this.#db
      .prepare(
        "UPDATE cron_runs SET finished_ms = ?, outcome = ?, error = ? WHERE app = ? AND cron = ? AND scheduled_ms = ?",
      )
      .run(Date.now(), outcome, error, app, cron, scheduledMs);
  }

  async lastRuns(app: string): Promise<CronRun[]> {
    const rows = this.#db
      .prepare(
        `SELECT cron, scheduled_ms, started_ms, finished_ms, outcome, error FROM cron_runs r WHERE app = ?
         AND scheduled_ms = (SELECT MAX(scheduled_ms) FROM cron_runs WHERE app = r.app AND cron = r.cron)
         ORDER BY cron`,
      )
      .all(app) as {
      cron: string;
      scheduled_ms: number;
      started_ms: number;
      finished_ms: number | null;
      outcome: string | null;
      error: string | null;
    }[];
    return rows.map((r) => ({
      cron: r.cron,
      scheduledMs: r.scheduled_ms,
      startedMs: r.started_ms,
      finishedMs: r.finished_ms,
      outcome: r.outcome,
      error: r.error,
    }));
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
