/**
 * Cron runs as storage: the claim that makes an occurrence run once (on one node of several sharing
 * the database), and each run's outcome. SQLite on one node (cron-sqlite-store.ts), PostgreSQL for
 * several (cron-postgres-store.ts): the claim is INSERT … ON CONFLICT DO NOTHING in both.
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
  claim(app: string, cron: string, scheduledMs: number, node: string, startedMs: number): Promise<boolean>;
  finish(app: string, cron: string, scheduledMs: number, outcome: "ok" | "error", error: string | null): Promise<void>;
  /** The latest run of each of the app's crons. */
  lastRuns(app: string): Promise<CronRun[]>;
  close(): Promise<void>;
}
