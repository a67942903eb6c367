/**
 * Value formatting for console and `nano eval`, close to Node's util.inspect and browsers' consoles:
 * strings raw at the top level and quoted inside structures, depth-limited, circular-safe.
 * https://console.spec.whatwg.org/#formatter for the `%` substitutions.
 *
 * Written with primordials: the values are the app's, but the formatting is the runtime's, and must
 * work whatever the app did to Array.prototype, String.prototype, Map.prototype and the rest.
 */
import {
  ArrayBufferPrototypeGetByteLength,
  ArrayIsArray,
  ArrayPrototypePush,
  Date as DateCtor,
  DatePrototypeGetTime,
  DatePrototypeToISOString,
  Error as ErrorCtor,
  FunctionPrototypeToString,
  isArrayBuffer,
  isInstanceOf,
  JSONStringify,
  Map as MapCtor,
  MapPrototypeForEach,
  MapPrototypeGetSize,
  MathTrunc,
  Number as NumberCtor,
  NumberIsNaN,
  ObjectGetPrototypeOf,
  ObjectIs,
  Promise as PromiseCtor,
  ReflectGetOwnPropertyDescriptor,
  ReflectOwnKeys,
  RegExp as RegExpCtor,
  RegExpPrototypeGetFlags,
  RegExpPrototypeGetSource,
  regExpReplaceAll,
  regExpTest,
  SafeSet,
  Set as SetCtor,
  SetPrototypeForEach,
  SetPrototypeGetSize,
  String as StringCtor,
  StringPrototypeIncludes,
  SymbolPrototypeToString,
  stringJoin,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeGetSymbolToStringTag,
} from "./primordials.js";

const MAX_DEPTH = 2;
const MAX_ITEMS = 100;

const QUOTED = /[\\'\n]/g;
const QUOTES: Readonly<Record<string, string>> = { "\\": "\\\\", "'": "\\'", "\n": "\\n" };
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const CLASS_SOURCE = /^class\b/;
const NEWLINE = /\n/g;
const SUBSTITUTION = /%[sdifoOjc%]/g;

export function inspect(value: unknown): string {
  return formatValue(value, 0, new SafeSet());
}

function quote(s: string): string {
  return `'${regExpReplaceAll(QUOTED, s, (c) => QUOTES[c] as string)}'`;
}

function key(k: PropertyKey): string {
  if (typeof k === "symbol") return `[${SymbolPrototypeToString(k)}]`;
  return regExpTest(IDENTIFIER, k as string) ? (k as string) : quote(k as string);
}

function constructorName(o: object): string | null {
  const proto = ObjectGetPrototypeOf(o);
  if (proto === null) return "[Object: null prototype]";
  const name = proto.constructor?.name;
  return typeof name === "string" ? name : null;
}

/** An error as its stack shows it (its own properties, read as the app left them). */
function formatError(o: Error): string {
  const stack = o.stack;
  const message = o.message;
  if (typeof stack === "string" && StringPrototypeIncludes(stack, StringCtor(message))) return stack;
  return `${o.name}: ${message}`;
}

function formatValue(v: unknown, depth: number, seen: SafeSet<object>): string {
  switch (typeof v) {
    case "string":
      return depth === 0 ? v : quote(v);
    case "number":
      return ObjectIs(v, -0) ? "-0" : StringCtor(v);
    case "bigint":
      return `${v}n`;
    case "undefined":
    case "boolean":
      return StringCtor(v);
    case "symbol":
      return SymbolPrototypeToString(v);
    case "function": {
      const isClass = regExpTest(CLASS_SOURCE, FunctionPrototypeToString(v));
      const name = v.name;
      return `[${isClass ? "class" : "Function"}${name ? `: ${name}` : " (anonymous)"}]`;
    }
  }
  if (v === null) return "null";
  const o = v as object;
  if (seen.has(o)) return "[Circular]";
  if (isInstanceOf(o, ErrorCtor)) return formatError(o as Error);
  if (isInstanceOf(o, DateCtor)) {
    const time = DatePrototypeGetTime(o as Date);
    return NumberIsNaN(time) ? "Invalid Date" : DatePrototypeToISOString(o as Date);
  }
  if (isInstanceOf(o, RegExpCtor)) {
    return `/${RegExpPrototypeGetSource(o as RegExp)}/${RegExpPrototypeGetFlags(o as RegExp)}`;
  }
  if (isInstanceOf(o, PromiseCtor)) return "Promise {}";
  if (depth > MAX_DEPTH) return ArrayIsArray(o) ? "[Array]" : `[${constructorName(o) ?? "Object"}]`;
  seen.add(o);
  try {
    return formatObject(o, depth, seen);
  } finally {
    seen.delete(o);
  }
}

function list(open: string, items: string[], close: string, more: number): string {
  if (more > 0) ArrayPrototypePush(items, `... ${more} more item${more > 1 ? "s" : ""}`);
  if (items.length === 0) return `${open}${close}`;
  const oneLine = `${open} ${stringJoin(items, ", ")} ${close}`;
  if (oneLine.length <= 72 && !StringPrototypeIncludes(oneLine, "\n")) return oneLine;
  const indented: string[] = [];
  for (let i = 0; i < items.length; i++) {
    ArrayPrototypePush(indented, `  ${regExpReplaceAll(NEWLINE, items[i] as string, () => "\n  ")}`);
  }
  return `${open}\n${stringJoin(indented, ",\n")}\n${close}`;
}

function formatObject(o: object, depth: number, seen: SafeSet<object>): string {
  if (ArrayIsArray(o)) {
    const length = o.length;
    const items: string[] = [];
    // A hole shows as nothing between its commas.
    for (let i = 0; i < length && i < MAX_ITEMS; i++)
      ArrayPrototypePush(items, i in o ? formatValue(o[i], depth + 1, seen) : "");
    return list("[", items, "]", length - items.length);
  }
  const typedArray = TypedArrayPrototypeGetSymbolToStringTag(o);
  if (typedArray !== undefined) {
    const view = o as unknown as ArrayLike<number | bigint>;
    const length = TypedArrayPrototypeGetLength(o as Uint8Array);
    const items: string[] = [];
    for (let i = 0; i < length && i < MAX_ITEMS; i++) ArrayPrototypePush(items, formatValue(view[i], depth + 1, seen));
    return list(`${constructorName(o)}(${length}) [`, items, "]", length - items.length);
  }
  if (isArrayBuffer(o)) return `ArrayBuffer { byteLength: ${ArrayBufferPrototypeGetByteLength(o)} }`;
  const mapSize = collectionSize(MapPrototypeGetSize, o);
  if (mapSize !== null) {
    const items: string[] = [];
    MapPrototypeForEach(o as Map<unknown, unknown>, (val, k) => {
      if (items.length < MAX_ITEMS)
        ArrayPrototypePush(items, `${formatValue(k, depth + 1, seen)} => ${formatValue(val, depth + 1, seen)}`);
    });
    return list(`Map(${mapSize}) {`, items, "}", mapSize - items.length);
  }
  const setSize = collectionSize(SetPrototypeGetSize, o);
  if (setSize !== null) {
    const items: string[] = [];
    SetPrototypeForEach(o as Set<unknown>, (val) => {
      if (items.length < MAX_ITEMS) ArrayPrototypePush(items, formatValue(val, depth + 1, seen));
    });
    return list(`Set(${setSize}) {`, items, "}", setSize - items.length);
  }
  const name = constructorName(o);
  const prefix = name === "Object" ? "" : `${name ?? "Object"} `;
  const ownKeys = ReflectOwnKeys(o);
  const items: string[] = [];
  let count = 0;
  for (let i = 0; i < ownKeys.length; i++) {
    const k = ownKeys[i] as PropertyKey;
    const desc = ReflectGetOwnPropertyDescriptor(o, k);
    if (!desc?.enumerable) continue;
    if (count++ < MAX_ITEMS)
      ArrayPrototypePush(
        items,
        `${key(k)}: ${"value" in desc ? formatValue(desc.value, depth + 1, seen) : "[Getter]"}`,
      );
  }
  return list(`${prefix}{`, items, "}", count - items.length);
}

/** The size of a Map (or Set), by its internal slot; null for anything else. */
function collectionSize(getSize: (self: never) => number, o: object): number | null {
  if (!isInstanceOf(o, getSize === MapPrototypeGetSize ? MapCtor : SetCtor)) return null;
  try {
    return getSize(o as never);
  } catch {
    return null;
  }
}

/** Console formatting: `%s %d %i %f %o %O %j %c %%` substitutions in a leading string, then the rest. */
export function formatArgs(args: readonly unknown[]): string {
  const parts: string[] = [];
  let rest = 0;
  const first = args[0];
  if (typeof first === "string" && StringPrototypeIncludes(first, "%")) {
    let i = 1;
    const out = regExpReplaceAll(SUBSTITUTION, first, (spec) => {
      if (spec === "%%") return "%";
      if (i >= args.length) return spec;
      const arg = args[i++];
      switch (spec) {
        case "%s":
          return typeof arg === "string" ? arg : formatValue(arg, 1, new SafeSet());
        case "%d":
        case "%i": {
          const n = typeof arg === "bigint" ? arg : NumberCtor(arg);
          return typeof n === "bigint" ? `${n}n` : StringCtor(spec === "%i" ? MathTrunc(n) : n);
        }
        case "%f":
          return StringCtor(NumberCtor(arg));
        case "%j":
          return StringCtor(JSONStringify(arg));
        case "%c":
          return "";
        default:
          return formatValue(arg, 1, new SafeSet());
      }
    });
    ArrayPrototypePush(parts, out);
    rest = i;
  } else if (args.length > 0) {
    ArrayPrototypePush(parts, inspect(first));
    rest = 1;
  }
  for (let i = rest; i < args.length; i++) ArrayPrototypePush(parts, inspect(args[i]));
  return stringJoin(parts, " ");
}
