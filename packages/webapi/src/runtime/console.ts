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
  nullProto,
  ObjectDefineProperty,
  regExpReplaceAll,
  SafeMap,
  StringPrototypeSlice,
  SymbolToStringTag,
  stringJoin,
  stringSplit,
} from "./primordials.js";
import { toDOMString } from "./webidl.js";

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
    dirxml: (...a: unknown[]) => emit("log", a),
    /** https://console.spec.whatwg.org/#assert — "Assertion failed", joined to a string first argument. */
    assert: (cond: unknown = false, ...a: unknown[]) => {
      if (cond) return;
      if (a.length === 0) emit("error", ["Assertion failed"]);
      else if (typeof a[0] === "string") {
        const rest: unknown[] = [`Assertion failed: ${a[0]}`];
        for (let i = 1; i < a.length; i++) ArrayPrototypePush(rest, a[i]);
        emit("error", rest);
      } else emit("error", prepend("Assertion failed:", a));
    },
    count: (label: unknown = "default") => {
      const key = toDOMString(label);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      emit("info", [`${key}: ${n}`]);
    },
    countReset: (label: unknown = "default") => {
      const key = toDOMString(label);
      if (!counts.delete(key)) emit("warn", [`Count for '${key}' does not exist`]);
    },
    time: (label: unknown = "default") => {
      const key = toDOMString(label);
      if (timers.has(key)) emit("warn", [`Timer '${key}' already exists`]);
      else timers.set(key, DateNow());
    },
    timeLog: (label: unknown = "default", ...a: unknown[]) => {
      const key = toDOMString(label);
      const start = timers.get(key);
      if (start === undefined) emit("warn", [`Timer '${key}' does not exist`]);
      else emit("info", prepend(`${key}: ${DateNow() - start}ms`, a));
    },
    timeEnd: (label: unknown = "default") => {
      const key = toDOMString(label);
      const start = timers.get(key);
      if (start === undefined) {
        emit("warn", [`Timer '${key}' does not exist`]);
        return;
      }
      timers.delete(key);
      emit("info", [`${key}: ${DateNow() - start}ms`]);
    },
    group: (...a: unknown[]) => group(a),
    // A log has no interactive groups: a collapsed group prints as an expanded one.
    groupCollapsed: (...a: unknown[]) => group(a),
    groupEnd: () => {
      indent = StringPrototypeSlice(indent, 2);
    },
    table: (data: unknown) => emit("log", [data]),
    // https://console.spec.whatwg.org/#clear — a log cannot be cleared: empties the group stack.
    clear: () => {
      indent = "";
    },
  };
  const group = (a: readonly unknown[]) => {
    if (a.length) emit("log", a);
    indent += "  ";
  };
  // https://webidl.spec.whatwg.org/#es-namespaces: a namespace object's class string is its name.
  ObjectDefineProperty(console, SymbolToStringTag, nullProto({ value: "console", configurable: true }));
  return console as unknown as Console;
}

export interface Console {
  log(...args: unknown[]): void;
  [method: string]: (...args: never[]) => void;
}
