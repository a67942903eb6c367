/**
 * Cron runs as storage: the claim that makes an occurrence run once (on one node of several sharing
 * the database), and each run's outcome. SQLite now (cron-sqlite-store.ts); a PostgreSQL store does
 * the claim as INSERT … ON CONFLICT DO NOTHING the same way.
 */
export interface CronRun {
  cron: string;
  scheduledMs: number;
  startedMs: number;
  finishedMs: number | null;
  /** "ok", "error", or null while it runs. */
  outcome: string | null;
  error: string | null;
}

export interface CronStore {
  /** Claims the occurrence for `node`; false if it was claimed already (by any node). */
  claim(app: string, cron: string, scheduledMs: number, node: string, startedMs: number): boolean;
  finish(app: string, cron: string, scheduledMs: number, outcome: "ok" | "error", error: string | null): void;
  /** The latest run of each of the app's crons. */
  lastRuns(app: string): CronRun[];
  close(): void;
}
