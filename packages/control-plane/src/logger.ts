/**
 * pino loggers (after fastify's logger factory): JSON lines, or pino-pretty's human lines when stdout
 * is a terminal (NANO_LOG_FORMAT=json|pretty overrides). App console output is logged as records
 * {app, version, requestId, level, msg}.
 */

import type { LogRecord } from "@nano/worker";
import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

export type { Logger };

/** How long a buffered logger may hold lines before writing them. */
const FLUSH_MS = 100;

/**
 * `buffered`: JSON lines to stdout go through an asynchronous buffer written every FLUSH_MS (or each
 * 8 KiB), not one write per line: a write to a pipe or file is synchronous in Node, and a serving
 * process logs a line per request. What is buffered is written at exit; a fatal crash may lose up to
 * FLUSH_MS of request lines.
 */
export function createLogger(
  opts: { level?: string; destination?: NodeJS.WritableStream; buffered?: boolean } = {},
): Logger {
  const format = process.env.NANO_LOG_FORMAT ?? (!opts.destination && process.stdout.isTTY ? "pretty" : "json");
  const level = opts.level ?? process.env.NANO_LOG_LEVEL ?? "info";
  if (format === "pretty") {
    const destination = pretty({ colorize: true, ignore: "pid,hostname", translateTime: "HH:MM:ss.l", sync: true });
    return pino({ level, base: { pid: process.pid } }, destination);
  }
  if (opts.buffered && !opts.destination) {
    const destination = pino.destination({ dest: 1, sync: false, minLength: 8 * 1024 });
    setInterval(() => destination.flush(), FLUSH_MS).unref();
    process.once("exit", () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing more can be done at exit (a closed or full pipe).
      }
    });
    return pino({ level, base: { pid: process.pid } }, destination);
  }
  return pino({ level, base: { pid: process.pid } }, (opts.destination ?? process.stdout) as pino.DestinationStream);
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
