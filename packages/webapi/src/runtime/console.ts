/**
 * https://console.spec.whatwg.org/ — console methods formatted in the isolate and handed to the host's
 * `log` bridge, which attributes them to the app (and, later, to the request). Primordials only: the
 * console keeps working whatever the app replaced.
 */
import type { LogLevel } from "../bridge-contract.js";
import { formatArgs, inspect } from "./inspect.js";
import {
  ArrayPrototypePush,
  DateNow,
  Error as ErrorCtor,
  regExpReplaceAll,
  SafeMap,
  StringPrototypeSlice,
  stringJoin,
  stringSplit,
} from "./primordials.js";

const LINE_START = /^/gm;

/** `head` followed by the elements of `rest` (no spread: that would call the array's iterator). */
function prepend(head: unknown, rest: readonly unknown[]): unknown[] {
  const out: unknown[] = [head];
  for (let i = 0; i < rest.length; i++) ArrayPrototypePush(out, rest[i]);
  return out;
}

export function createConsole(log: (level: LogLevel, text: string) => void): Console {
  const counts = new SafeMap<string, number>();
  const timers = new SafeMap<string, number>();
  let indent = "";
  const emit = (level: LogLevel, args: readonly unknown[]) => {
    const text = formatArgs(args);
    log(level, indent ? regExpReplaceAll(LINE_START, text, () => indent) : text);
  };
  const console = {
    log: (...a: unknown[]) => emit("log", a),
    info: (...a: unknown[]) => emit("info", a),
    debug: (...a: unknown[]) => emit("debug", a),
    warn: (...a: unknown[]) => emit("warn", a),
    error: (...a: unknown[]) => emit("error", a),
    trace: (...a: unknown[]) => {
      const lines = stringSplit(new ErrorCtor().stack ?? "", "\n");
      const frames: string[] = [];
      for (let i = 2; i < lines.length; i++) ArrayPrototypePush(frames, lines[i] as string);
      emit("debug", [`Trace${a.length ? `: ${formatArgs(a)}` : ""}\n${stringJoin(frames, "\n")}`]);
    },
    dir: (v: unknown) => emit("log", [inspect(v)]),
    assert: (cond: unknown, ...a: unknown[]) => {
      if (!cond) emit("error", prepend("Assertion failed", a));
    },
    count: (label = "default") => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      emit("info", [`${label}: ${n}`]);
    },
    countReset: (label = "default") => void counts.delete(label),
    time: (label = "default") => void timers.set(label, DateNow()),
    timeLog: (label = "default", ...a: unknown[]) => {
      const start = timers.get(label);
      if (start !== undefined) emit("info", prepend(`${label}: ${DateNow() - start}ms`, a));
    },
    timeEnd: (label = "default") => {
      const start = timers.get(label);
      if (start === undefined) return;
      timers.delete(label);
      emit("info", [`${label}: ${DateNow() - start}ms`]);
    },
    group: (...a: unknown[]) => {
      if (a.length) emit("log", a);
      indent += "  ";
    },
    groupEnd: () => {
      indent = StringPrototypeSlice(indent, 2);
    },
    table: (data: unknown) => emit("log", [data]),
  };
  return console as unknown as Console;
}

export interface Console {
  log(...args: unknown[]): void;
  [method: string]: (...args: never[]) => void;
}
