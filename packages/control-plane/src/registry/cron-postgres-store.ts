/**
 * Cron runs in the PostgreSQL registry (several nodes): the primary key is the claim, so each
 * occurrence runs on one node only. It shares the registry's connection pool (PostgresStore.sql).
 * While the database is away nothing can be claimed, so scheduled runs are skipped (and logged) rather
 * than run on every node.
 */
import type postgres from "postgres";
import type { CronRun, CronStore } from "./cron-store.js";
import { registryCall } from "./pg-errors.js";

/** Runs kept per app and cron; older rows are deleted as new ones are claimed. */
const KEEP_RUNS = 20;

export class PostgresCronStore implements CronStore {
  readonly #sql: postgres.Sql;

  constructor(sql: postgres.Sql) {
    this.#sql = sql;
  }

  claim(app: string, cron: string, scheduledMs: number, node: string, startedMs: number): Promise<boolean> {
    return registryCall(async () => {
      const r = await this.#sql`INSERT INTO cron_runs (app, cron, scheduled_ms, node, started_ms)
        VALUES (${app}, ${cron}, ${scheduledMs}, ${node}, ${startedMs}) ON CONFLICT (app, cron, scheduled_ms) DO NOTHING`;
      if (r.count !== 1) return false;
      await this.#sql`DELETE FROM cron_runs WHERE app = ${app} AND cron = ${cron} AND scheduled_ms NOT IN
        (SELECT scheduled_ms FROM cron_runs WHERE app = ${app} AND cron = ${cron} ORDER BY scheduled_ms DESC LIMIT ${KEEP_RUNS})`;
      return true;
    });
  }

  finish(app: string, cron: string, scheduledMs: number, outcome: "ok" | "error", error: string | null): Promise<void> {
    return registryCall(async () => {
      await this.#sql`UPDATE cron_runs SET finished_ms = ${Date.now()}, outcome = ${outcome}, error = ${error}
        WHERE app = ${app} AND cron = ${cron} AND scheduled_ms = ${scheduledMs}`;
    });
  }

  lastRuns(app: string): Promise<CronRun[]> {
    return registryCall(async () => {
      const rows = await this.#sql<
        {
          cron: string;
          scheduled_ms: string;
          started_ms: string;
          finished_ms: string | null;
          outcome: string | null;
          error: string | null;
        }[]
      >`SELECT DISTINCT ON (cron) cron, scheduled_ms, started_ms, finished_ms, outcome, error FROM cron_runs
        WHERE app = ${app} ORDER BY cron, scheduled_ms DESC`;
      return rows.map((r) => ({
        cron: r.cron,
        scheduledMs: Number(r.scheduled_ms),
        startedMs: Number(r.started_ms),
        finishedMs: r.finished_ms === null ? null : Number(r.finished_ms),
        outcome: r.outcome,
        error: r.error,
      }));
    });
  }

  /** The pool belongs to the registry store, which closes it. */
  async close(): Promise<void> {}
}
