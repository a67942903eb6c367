/**
 * pino loggers (after fastify's logger factory): JSON lines, one child per request with its id;
 * `silent` when logging is off. App console output is logged as records {app, version, requestId, level, msg}.
 */

import type { LogRecord } from "@nano/worker";
import { type Logger, pino } from "pino";

export type { Logger };

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    { level: opts.level ?? process.env.NANO_LOG_LEVEL ?? "info", base: { pid: process.pid } },
    (opts.destination ?? process.stdout) as pino.DestinationStream,
  );
}

const LEVELS: Record<LogRecord["level"], "debug" | "info" | "warn" | "error"> = {
  debug: "debug",
  log: "info",
  info: "info",
  warn: "warn",
  error: "error",
};

export function logAppRecords(logger: Logger, records: LogRecord[], fields: Record<string, unknown>): void {
  for (const r of records)
    logger[LEVELS[r.level]]({ ...fields, source: "app", consoleLevel: r.level, time: r.time }, r.msg);
}
