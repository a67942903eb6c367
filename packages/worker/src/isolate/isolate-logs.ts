/**
 * The isolate's console: routes each record to the request, the socket or the isolate whose entry
 * logged it, within the bounds of console-budget.ts (records cut, a per-request cap, an isolate rate),
 * and turns an app's uncaught errors into records.
 */

import type { BridgeFunctions } from "@nano/webapi";
import type { LogRecord } from "../contract.js";
import { CHARS_PER_S, ConsoleRate, MAX_REQUEST_CHARS, truncateRecord } from "./console-budget.js";

const LOG_LEVELS = new Set<string>(["debug", "log", "info", "warn", "error"]);

/** A pending request's console output: what it kept, and what was dropped past the bounds. */
export interface RequestLogs {
  logs: LogRecord[];
  /** Characters of console output kept for this request. */
  logChars: number;
  logsDropped: number;
}

export interface IsolateLogsOptions {
  /** The request the running entry belongs to, if any. */
  owner(): RequestLogs | undefined;
  /** The socket whose message or close is being entered: its console output is its own. */
  socket(): { log(record: LogRecord): void } | null;
  /** Output that belongs to no running request (top level, stray timers). */
  onLog(record: LogRecord): void;
  /** Output that belongs to no request and was dropped over the isolate's console rate. */
  onLogDropped(): void;
}

/** One isolate's console pipeline. */
export class IsolateLogs {
  readonly #opts: IsolateLogsOptions;
  readonly #rate = new ConsoleRate();

  constructor(opts: IsolateLogsOptions) {
    this.#opts = opts;
  }

  /** The `log` bridge function: level and text come from the isolate, untrusted. */
  readonly log: BridgeFunctions["log"] = (level, text) => {
    const msg = truncateRecord(String(text));
    const owner = this.#opts.owner();
    if (!this.#rate.take(msg.length) || (owner && owner.logChars + msg.length > MAX_REQUEST_CHARS)) {
      if (owner) owner.logsDropped++;
      else this.#opts.onLogDropped();
      return;
    }
    const record: LogRecord = { level: LOG_LEVELS.has(level) ? level : "log", msg, time: Date.now() };
    if (owner) {
      owner.logChars += msg.length;
      owner.logs.push(record);
    } else {
      const socket = this.#opts.socket();
      if (socket) socket.log(record);
      else this.#opts.onLog(record);
    }
  };

  /** An app's uncaught error: its own frames in the record, the full stack as hostStack for the operator. */
  uncaught(err: unknown, owner: RequestLogs | undefined): void {
    const text = `Uncaught ${errorText(err)}`;
    const full = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const record: LogRecord = { level: "error", msg: truncateRecord(text), time: Date.now(), hostStack: full };
    if (owner) owner.logs.push(record);
    else this.#opts.onLog(record);
  }
}

/** A request's console records, with one more that says how many were dropped, if any were. */
export function withDropNotice(p: RequestLogs): LogRecord[] {
  if (p.logsDropped === 0) return p.logs;
  const msg =
    `[nano] ${p.logsDropped} console record(s) dropped: a request keeps at most ${MAX_REQUEST_CHARS / 1024} KiB ` +
    `of console output and an isolate may log ${CHARS_PER_S / 1048576} MiB per second`;
  return [...p.logs, { level: "warn", msg, time: Date.now() }];
}

/** The error as the app's author should see it: message and in-isolate frames, no host frames. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const text = err.stack?.includes(err.message) ? err.stack : `${err.name}: ${err.message}`;
  const inIsolate = text.split("\n    at (<isolated-vm boundary>)")[0] as string;
  // The runtime's own frames say nothing to the app's author.
  return inIsolate
    .split("\n")
    .filter((line) => !line.includes("nano:runtime"))
    .join("\n");
}
