/**
 * Cron expressions of `triggers.crons`: standard 5-field expressions (minute hour day-of-month month
 * day-of-week) in UTC, parsed by croner. Day-of-month and day-of-week combine with OR when both are
 * restricted, as in Vixie cron and on Workers.
 */
import { Cron } from "croner";

/** Parses `expr`; throws an Error whose message names what is wrong with it. */
export function parseCron(expr: string): Cron {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(
      `"${expr}" must have 5 fields (minute hour day-of-month month day-of-week), it has ${fields.length}`,
    );
  }
  try {
    return new Cron(expr, { mode: "5-part", timezone: "UTC", paused: true, legacyMode: true });
  } catch (err) {
    throw new Error(`"${expr}" is not a valid cron expression: ${(err as Error).message}`);
  }
}

/** The first occurrence of `expr` strictly after `afterMs`, in epoch ms (null: none). */
export function nextOccurrence(expr: string, afterMs: number): number | null {
  const next = parseCron(expr).nextRun(new Date(afterMs));
  return next === null ? null : next.getTime();
}
