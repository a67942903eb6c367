/**
 * pino loggers (after fastify's logger factory): JSON lines, or pino-pretty's human lines when stdout
 * is a terminal (NANO_LOG_FORMAT=json|pretty overrides). App console output is logged as records
 * {app, version, requestId, level, msg}.
 */

import type { LogRecord } from "@nano/worker";
import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

export type { Logger };

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const format = process.env.NANO_LOG_FORMAT ?? (!opts.destination && process.stdout.isTTY ? "pretty" : "json");
  const destination =
    format === "pretty"
      ? pretty({ colorize: true, ignore: "pid,hostname", translateTime: "HH:MM:ss.l", sync: true })
      : ((opts.destination ?? process.stdout) as pino.DestinationStream);
  return pino({ level: opts.level ?? process.env.NANO_LOG_LEVEL ?? "info", base: { pid: process.pid } }, destination);
}

const LEVELS: Record<LogRecord["level"], "debug" | "info" | "warn" | "error"> = {
  debug: "debug",
  log: "info",
  info: "info",
  warn: "warn",
  error: "error",
};

export function logAppRecords(logger: Logger, records: LogRecord[], fields: Record<string, unknown>): void {
  for (const r of records) {
    const extra = r.hostStack ? { hostStack: r.hostStack } : {};
    logger[LEVELS[r.level]]({ ...fields, source: "app", consoleLevel: r.level, time: r.time, ...extra }, r.msg);
  }
}
