/**
 * The supervisor's cron scheduler: the active versions' `triggers.crons`, each occurrence run once in
 * a runtime process like a request (the app's limits), claimed first in the registry's database so
 * that several nodes sharing it never run one twice. Schedules follow the registry: `reload()` after
 * each change, and an occurrence runs only if its cron is still in the app's active manifest when it
 * fires, on whatever version is active then — so a deploy swaps the schedule with the version.
 * Occurrences missed while the server was down are not caught up, as on Workers.
 */
import { nextOccurrence } from "./cron.js";
import type { ScheduledReport } from "./ipc.js";
import type { CronRun, CronStore } from "./registry/cron-store.js";
import type { RegistryReader } from "./registry/store.js";

export interface CronOutcome {
  app: string;
  cron: string;
  scheduledTime: number;
  /** Run by `nano cron trigger`, not by the schedule. */
  manual: boolean;
  durationMs: number;
  report: ScheduledReport;
}

export interface CronSchedulerOptions {
  store: RegistryReader;
  runs: CronStore;
  /** This server, as the claims name it. */
  node: string;
  /** Runs one occurrence in a runtime process. */
  run(app: string, cron: string, scheduledTime: number): Promise<ScheduledReport>;
  onOutcome(outcome: CronOutcome): void;
}

/** The longest the timer sleeps before looking at the clock again (a suspended machine drifts). */
const MAX_SLEEP_MS = 60_000;
/** What `nano cron trigger` passes an app without crons, as wrangler's test mode does. */
export const DEFAULT_TRIGGER_CRON = "* * * * *";

const key = (app: string, cron: string) => `${app}\n${cron}`;

export class CronScheduler {
  readonly #opts: CronSchedulerOptions;
  /** The next occurrence of each (app, cron), epoch ms. */
  #next = new Map<string, { app: string; cron: string; at: number }>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(opts: CronSchedulerOptions) {
    this.#opts = opts;
  }

  /** The active versions' crons, from the registry: new ones are scheduled, removed ones dropped. */
  reload(): void {
    const now = Date.now();
    const next = new Map<string, { app: string; cron: string; at: number }>();
    for (const cronOf of this.#activeCrons()) {
      const k = key(cronOf.app, cronOf.cron);
      const at = this.#next.get(k)?.at ?? nextOccurrence(cronOf.cron, now);
      if (at !== null) next.set(k, { ...cronOf, at });
    }
    this.#next = next;
    this.#arm();
  }

  /** The app's crons with their next occurrence and their last run. */
  async describe(app: string): Promise<{ cron: string; next: string | null; last: CronRun | null }[]> {
    const last = new Map((await this.#opts.runs.lastRuns(app)).map((r) => [r.cron, r]));
    return this.#cronsOf(app).map((cron) => {
      const at = this.#next.get(key(app, cron))?.at;
      return { cron, next: at === undefined ? null : new Date(at).toISOString(), last: last.get(cron) ?? null };
    });
  }

  /** `nano cron trigger`: runs the handler now, with `cron` (default: the app's first, else every minute). */
  async trigger(app: string, cron?: string): Promise<CronOutcome> {
    const expr = cron ?? this.#cronsOf(app)[0] ?? DEFAULT_TRIGGER_CRON;
    return this.#runOnce(app, expr, Date.now(), true);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #activeCrons(): { app: string; cron: string }[] {
    const out: { app: string; cron: string }[] = [];
    for (const app of this.#opts.store.listApps()) {
      for (const cron of this.#cronsOf(app.name)) out.push({ app: app.name, cron });
    }
    return out;
  }

  /** The crons of the app's active version, read from the registry now. */
  #cronsOf(app: string): string[] {
    const record = this.#opts.store.getApp(app);
    if (!record || record.activeVersion === null) return [];
    return this.#opts.store.getVersion(app, record.activeVersion)?.manifest.triggers?.crons ?? [];
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#stopped || this.#next.size === 0) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const n of this.#next.values()) earliest = Math.min(earliest, n.at);
    const wait = Math.max(0, Math.min(MAX_SLEEP_MS, earliest - Date.now()));
    this.#timer = setTimeout(() => this.#fire(), wait);
    this.#timer.unref();
  }

  #fire(): void {
    const now = Date.now();
    for (const [k, n] of this.#next) {
      if (n.at > now) continue;
      const following = nextOccurrence(n.cron, Math.max(n.at, now - 1));
      if (following === null) this.#next.delete(k);
      else this.#next.set(k, { ...n, at: following });
      // Still in the active manifest now (a deploy may have swapped it since the last reload)?
      if (this.#cronsOf(n.app).includes(n.cron)) void this.#runOnce(n.app, n.cron, n.at, false);
    }
    this.#arm();
  }

  /** Never rejects: a failure of the database or of the run is the run's outcome. */
  async #runOnce(app: string, cron: string, scheduledTime: number, manual: boolean): Promise<CronOutcome> {
    const started = Date.now();
    const node = manual ? `${this.#opts.node} (manual)` : this.#opts.node;
    let report: ScheduledReport;
    try {
      // Another node (or an earlier manual run at the same millisecond) has it: nothing to do here.
      if (!(await this.#opts.runs.claim(app, cron, scheduledTime, node, started)) && !manual) {
        return { app, cron, scheduledTime, manual, durationMs: 0, report: skipped() };
      }
      report = await this.#opts.run(app, cron, scheduledTime);
      await this.#opts.runs.finish(
        app,
        cron,
        scheduledTime,
        report.error ? "error" : "ok",
        report.error ? `${report.error.code}: ${report.error.message}` : null,
      );
    } catch (err) {
      const message = `the run could not be recorded: ${(err as Error).message}`;
      report = { ...skipped(), error: { code: "NANO_ERR_INTERNAL", message } };
    }
    const outcome = { app, cron, scheduledTime, manual, durationMs: Date.now() - started, report };
    this.#opts.onOutcome(outcome);
    return outcome;
  }
}

function skipped(): ScheduledReport {
  return { error: null, noRetry: false, logs: [], cpuMs: 0, coldStart: false, version: "" };
}
