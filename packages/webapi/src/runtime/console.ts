/**
 * https://console.spec.whatwg.org/ — console methods formatted in the isolate and handed to the host's
 * `log` bridge, which attributes them to the app (and, later, to the request).
 */
import type { LogLevel } from "../bridge-contract.js";
import { formatArgs, inspect } from "./inspect.js";

export function createConsole(log: (level: LogLevel, text: string) => void): Console {
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  let indent = "";
  const emit = (level: LogLevel, args: unknown[]) => {
    const text = formatArgs(args);
    log(level, indent ? text.replace(/^/gm, indent) : text);
  };
  const console = {
    log: (...a: unknown[]) => emit("log", a),
    info: (...a: unknown[]) => emit("info", a),
    debug: (...a: unknown[]) => emit("debug", a),
    warn: (...a: unknown[]) => emit("warn", a),
    error: (...a: unknown[]) => emit("error", a),
    trace: (...a: unknown[]) => {
      const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
      emit("debug", [`Trace${a.length ? `: ${formatArgs(a)}` : ""}\n${stack}`]);
    },
    dir: (v: unknown) => emit("log", [inspect(v)]),
    assert: (cond: unknown, ...a: unknown[]) => {
      if (!cond) emit("error", ["Assertion failed", ...a]);
    },
    count: (label = "default") => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      emit("info", [`${label}: ${n}`]);
    },
    countReset: (label = "default") => void counts.delete(label),
    time: (label = "default") => void timers.set(label, Date.now()),
    timeLog: (label = "default", ...a: unknown[]) => {
      const start = timers.get(label);
      if (start !== undefined) emit("info", [`${label}: ${Date.now() - start}ms`, ...a]);
    },
    timeEnd: (label = "default") => {
      const start = timers.get(label);
      if (start === undefined) return;
      timers.delete(label);
      emit("info", [`${label}: ${Date.now() - start}ms`]);
    },
    group: (...a: unknown[]) => {
      if (a.length) emit("log", a);
      indent += "  ";
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
    table: (data: unknown) => emit("log", [data]),
  };
  return console as unknown as Console;
}

export interface Console {
  log(...args: unknown[]): void;
  [method: string]: (...args: never[]) => void;
}
