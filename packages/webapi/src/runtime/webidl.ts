// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://webidl.spec.whatwg.org/#js-type-mapping — the argument conversions every Web API of the
 * runtime shares (fetch, File API, DOM events, encoding, streams, base64), with the TypeErrors WebIDL
 * prescribes. One module, so a ByteString or a dictionary means the same thing everywhere.
 *
 * Conversions that call into the app's objects (ToString, ToNumber, iterators, getters) do so as the
 * spec says they must; everything else goes through primordials.
 */

import {
  ArrayBufferIsView,
  ArrayPrototypePush,
  isArrayBuffer,
  MathFloor,
  MathMax,
  MathMin,
  MathTrunc,
  NumberIsFinite,
  NumberIsNaN,
  ReflectApply,
  ReflectGetOwnPropertyDescriptor,
  ReflectOwnKeys,
  regExpTest,
  String as StringCtor,
  StringPrototypeToWellFormed,
  SymbolIterator,
  TypeError,
  Uint8Array,
  viewBytes,
} from "./primordials.js";

/** https://webidl.spec.whatwg.org/#js-DOMString — ToString, which (unlike `String()`) refuses symbols. */
export function toDOMString(value: unknown): string {
  if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol to a string");
  return StringCtor(value);
}

/** https://webidl.spec.whatwg.org/#js-USVString — lone surrogates become U+FFFD. */
export function toUSVString(value: unknown): string {
  return StringPrototypeToWellFormed(toDOMString(value));
}

const BEYOND_LATIN1 = /[^\0-\xff]/;

/** https://webidl.spec.whatwg.org/#js-ByteString — a code unit above U+00FF is a TypeError, not truncated. */
export function toByteString(value: unknown, what: string): string {
  const s = toDOMString(value);
  if (regExpTest(BEYOND_LATIN1, s)) throw new TypeError(`${what} must be a ByteString (no character above U+00FF)`);
  return s;
}

/** https://webidl.spec.whatwg.org/#js-boolean */
export function toBoolean(value: unknown): boolean {
  return !!value;
}

/** https://webidl.spec.whatwg.org/#js-enumeration — a DOMString that must be one of `values`. */
export function toEnum<T extends string>(value: unknown, values: { has(v: string): boolean }, what: string): T {
  const s = toDOMString(value);
  if (!values.has(s)) throw new TypeError(`"${s}" is not a valid value for ${what}`);
  return s as T;
}

/** https://webidl.spec.whatwg.org/#BufferSource — a Uint8Array view of the same memory (no copy). */
export function bufferSourceBytes(value: unknown, what: string): Uint8Array {
  if (ArrayBufferIsView(value)) return viewBytes(value);
  if (isArrayBuffer(value)) return new Uint8Array(value);
  throw new TypeError(`${what} must be an ArrayBuffer or an ArrayBufferView`);
}

export interface IntegerOptions {
  /** [EnforceRange]: NaN, ±Infinity and values out of range are TypeErrors. */
  enforceRange?: boolean;
  /** [Clamp]: out-of-range values clamp, halves round to even. */
  clamp?: boolean;
}

/**
 * https://webidl.spec.whatwg.org/#abstract-opdef-converttoint — ToNumber (which calls valueOf, and
 * throws for symbols and BigInts), then [EnforceRange], [Clamp] or modulo 2^bits.
 */
export function toInteger(
  value: unknown,
  bits: 8 | 16 | 32 | 64,
  signed: boolean,
  what: string,
  options: IntegerOptions = {},
): number {
  const upper = bits === 64 ? 2 ** 53 - 1 : signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const lower = bits === 64 ? (signed ? -(2 ** 53) + 1 : 0) : signed ? -(2 ** (bits - 1)) : 0;
  let x = +(value as number);
  if (x === 0) x = 0; // -0 → +0
  if (options.enforceRange) {
    if (!NumberIsFinite(x)) throw new TypeError(`${what} must be a finite number`);
    x = MathTrunc(x) + 0;
    if (x < lower || x > upper) throw new TypeError(`${what} must be between ${lower} and ${upper}`);
    return x;
  }
  if (options.clamp) {
    if (NumberIsNaN(x)) return 0;
    x = MathMin(MathMax(x, lower), upper);
    const f = MathFloor(x);
    // Round half to even.
    x = x - f < 0.5 ? f : x - f > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
    return x + 0;
  }
  if (!NumberIsFinite(x)) return 0;
  x = MathTrunc(x);
  if (x >= lower && x <= upper) return x + 0;
  if (bits === 64) return x; // beyond 2^53 the modulo is not exact in a double: keep the truncated value
  const mod = 2 ** bits;
  x = ((x % mod) + mod) % mod;
  if (signed && x >= 2 ** (bits - 1)) x -= mod;
  return x + 0;
}

/** https://webidl.spec.whatwg.org/#js-unsigned-short */
export function toUnsignedShort(value: unknown, what: string, options?: IntegerOptions): number {
  return toInteger(value, 16, false, what, options);
}

/** https://webidl.spec.whatwg.org/#js-unsigned-long */
export function toUnsignedLong(value: unknown, what = "value", options?: IntegerOptions): number {
  return toInteger(value, 32, false, what, options);
}

/** https://webidl.spec.whatwg.org/#js-long-long */
export function toLongLong(value: unknown, what: string, options?: IntegerOptions): number {
  return toInteger(value, 64, true, what, options);
}

/** Throws the TypeError WebIDL gives when an operation gets fewer arguments than it requires. */
export function requireArgs(given: number, needed: number, what: string): void {
  if (given < needed) {
    throw new TypeError(`${what}: ${needed} argument${needed > 1 ? "s" : ""} required, but only ${given} present`);
  }
}

/** https://webidl.spec.whatwg.org/#js-dictionary — undefined and null are the empty dictionary. */
export function dictionary(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** Reads a dictionary member once: its default when undefined, else converted. */
export function member<T>(dict: Record<string, unknown>, key: string, fallback: T, convert: (value: unknown) => T): T {
  const value = dict[key];
  return value === undefined ? fallback : convert(value);
}

/** https://webidl.spec.whatwg.org/#js-callback-function — a callable, or a TypeError. */
export function toCallback<T extends (...args: never[]) => unknown>(value: unknown, what: string): T {
  if (typeof value !== "function") throw new TypeError(`${what} is not a function`);
  return value as T;
}

const isObject = (value: unknown): value is object =>
  (typeof value === "object" && value !== null) || typeof value === "function";

/** The value's @@iterator method (GetMethod): undefined when absent, a TypeError when not callable. */
export function iteratorMethod(value: object, what: string): ((this: unknown) => Iterator<unknown>) | undefined {
  const method = (value as { [SymbolIterator]?: unknown })[SymbolIterator];
  if (method === undefined || method === null) return undefined;
  if (typeof method !== "function") throw new TypeError(`${what}: Symbol.iterator is not a function`);
  return method as (this: unknown) => Iterator<unknown>;
}

/**
 * https://webidl.spec.whatwg.org/#js-sequence — iterates the app's iterable as it made it (its own
 * iterator and `next`, as the spec says), converting each element.
 */
export function toSequence<T>(
  value: unknown,
  what: string,
  convert: (element: unknown) => T,
  method?: (this: unknown) => Iterator<unknown>,
): T[] {
  if (!isObject(value)) throw new TypeError(`${what} must be a sequence (an iterable object)`);
  const iter = method ?? iteratorMethod(value, what);
  if (iter === undefined) throw new TypeError(`${what} must be a sequence (an iterable object)`);
  const iterator = ReflectApply(iter, value, []) as Iterator<unknown>;
  if (!isObject(iterator)) throw new TypeError(`${what}: the iterator is not an object`);
  const next = iterator.next;
  const out: T[] = [];
  for (;;) {
    const step = ReflectApply(next, iterator, []) as IteratorResult<unknown>;
    if (!isObject(step)) throw new TypeError(`${what}: the iterator result is not an object`);
    if (step.done) return out;
    ArrayPrototypePush(out, convert(step.value));
  }
}

/**
 * https://webidl.spec.whatwg.org/#js-record — the own enumerable properties, in [[OwnPropertyKeys]]
 * order, each key and value converted (a symbol key fails its string conversion, as specified).
 */
export function toRecord<V>(
  value: unknown,
  what: string,
  convertKey: (key: unknown) => string,
  convertValue: (value: unknown) => V,
): [string, V][] {
  if (!isObject(value)) throw new TypeError(`${what} must be an object`);
  const keys = ReflectOwnKeys(value);
  const out: [string, V][] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string | symbol;
    const desc = ReflectGetOwnPropertyDescriptor(value, key);
    if (desc === undefined || !desc.enumerable) continue;
    const typedKey = convertKey(key);
    ArrayPrototypePush(out, [typedKey, convertValue((value as Record<string | symbol, unknown>)[key])]);
  }
  return out;
}
