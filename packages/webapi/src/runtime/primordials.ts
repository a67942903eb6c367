/**
 * Primordials (after Node's lib/internal/per_context/primordials.js and deno's): the built-ins the
 * runtime calls, captured while the runtime script is evaluated — before any app code runs, and then
 * frozen into the snapshot. The app shares this realm and may replace `Array.prototype.push`,
 * `String.prototype.toLowerCase`, `JSON.stringify`, `Promise.prototype.then`, `globalThis.Uint8Array`
 * and the like; the runtime's own code calls these captured versions instead, so what it hands to the
 * host (header blocks, status, body bytes) and its own bookkeeping cannot be changed by the app.
 *
 * Conventions, as in Node:
 *   - `XPrototypeY(self, ...args)` is `X.prototype.y` uncurried: `self.y(...args)` without looking up
 *     `y` (or `call`) at call time. `XPrototypeGetZ(self)` is the getter of `X.prototype.z`.
 *   - `XY` is the static `X.y` (bound where it needs its receiver).
 *   - Constructors and namespaces keep their names (`Uint8Array`, `TypeError`, `Reflect`); importing
 *     them shadows the globals, which the app may reassign.
 *   - `SafeMap`/`SafeSet` are Map/Set whose methods and iterators are the captured ones.
 *
 * What uncurrying alone does not cover, and how the runtime deals with it:
 *   - Methods that make their result by species (Array.prototype.map/filter/slice/splice/concat,
 *     %TypedArray%.prototype.slice/subarray, ArrayBuffer.prototype.slice) read `constructor`: not
 *     captured here; the helpers below (arrayCopy, arrayRemoveAt, copyBytes, subBytes, copyBuffer)
 *     do their work without them.
 *   - Resolving a promise with a promise looks up its `then` (an async function returning a promise,
 *     a `then` callback returning one, `new Promise(r => r(p))`): runtime code awaits instead, and
 *     hands SafePromise to code that resolves with what it gets. `await` on a native promise reads its
 *     `constructor` (Promise.prototype.constructor), which is assumed intact.
 *   - Iteration (for…of, spread, array destructuring) calls the iterable's @@iterator and `next`:
 *     runtime code indexes its arrays, or uses SafeArrayIterator, SafeMap and SafeSet. Iterables the
 *     app passes in (WebIDL sequences) are iterated with their own iterator, as the specs say.
 *   - Indexed setters an app defines on Array.prototype or Object.prototype see writes to missing
 *     indices or keys. What crosses to the host is therefore checked again where it is encoded
 *     (header-block.ts), and descriptors and records the runtime passes around have null prototypes.
 */

/* The only lookups on replaceable objects are the ones in this module's top level. */
const FunctionPrototype = Function.prototype;
const { bind: functionBind, call: functionCall } = FunctionPrototype;

/**
 * `uncurryThis(fn)(self, ...args)` calls `fn` with `this` = self. It is `call.bind(fn)` made through the
 * intrinsic `bind` captured above, so neither making nor calling an uncurried function looks anything up.
 */
const uncurry = functionBind.bind(functionCall) as (
  fn: (...args: never[]) => unknown,
) => (...args: unknown[]) => unknown;

export function uncurryThis<T, A extends unknown[], R>(fn: (this: T, ...args: A) => R): (self: T, ...args: A) => R {
  return uncurry(fn as (...args: never[]) => unknown) as (self: T, ...args: A) => R;
}

/** The captured getter of `key` on `object`, uncurried. */
function getter<T, R>(object: object, key: PropertyKey): (self: T) => R {
  const desc = Reflect.getOwnPropertyDescriptor(object, key);
  if (desc === undefined || typeof desc.get !== "function") throw new Error(`primordials: no getter ${String(key)}`);
  return uncurryThis(desc.get as (this: T) => R);
}

// ---- constructors and namespaces ----

const {
  Array: ArrayCtor,
  ArrayBuffer: ArrayBufferCtor,
  Boolean: BooleanCtor,
  DataView: DataViewCtor,
  Date: DateCtor,
  Error: ErrorCtor,
  JSON: JSONNamespace,
  Map: MapCtor,
  Math: MathNamespace,
  Number: NumberCtor,
  Object: ObjectCtor,
  Promise: PromiseCtor,
  RangeError: RangeErrorCtor,
  Reflect: ReflectNamespace,
  RegExp: RegExpCtor,
  Set: SetCtor,
  String: StringCtor,
  Symbol: SymbolCtor,
  SyntaxError: SyntaxErrorCtor,
  TypeError: TypeErrorCtor,
  Uint8Array: Uint8ArrayCtor,
  Uint16Array: Uint16ArrayCtor,
  WeakMap: WeakMapCtor,
  WeakRef: WeakRefCtor,
} = globalThis;

export {
  ArrayBufferCtor as ArrayBuffer,
  ArrayCtor as Array,
  BooleanCtor as Boolean,
  DataViewCtor as DataView,
  DateCtor as Date,
  ErrorCtor as Error,
  MapCtor as Map,
  NumberCtor as Number,
  ObjectCtor as Object,
  PromiseCtor as Promise,
  RangeErrorCtor as RangeError,
  RegExpCtor as RegExp,
  SetCtor as Set,
  StringCtor as String,
  SyntaxErrorCtor as SyntaxError,
  TypeErrorCtor as TypeError,
  Uint8ArrayCtor as Uint8Array,
  Uint16ArrayCtor as Uint16Array,
  WeakMapCtor as WeakMap,
  WeakRefCtor as WeakRef,
};

/**
 * The globals a lazily loaded family (lazy.ts) sees under their names, as they were when the runtime
 * loaded: its code runs after the app's, which may have replaced them.
 */
const LAZY_SCOPE_NAMES = [
  "Array",
  "ArrayBuffer",
  "DataView",
  "Error",
  "Float64Array",
  "Int8Array",
  "Int16Array",
  "Int32Array",
  "JSON",
  "Map",
  "Math",
  "Number",
  "Object",
  "Promise",
  "RangeError",
  "Reflect",
  "RegExp",
  "Set",
  "String",
  "Symbol",
  "SyntaxError",
  "TypeError",
  "Uint8Array",
  "Uint16Array",
  "Uint32Array",
  "WeakMap",
] as const;
export const lazyScopeNames: readonly string[] = LAZY_SCOPE_NAMES;
export const lazyScopeValues: readonly unknown[] = LAZY_SCOPE_NAMES.map(
  (name) => (globalThis as unknown as Record<string, unknown>)[name],
);

/** The global object, as it was when the runtime loaded (an app cannot rebind `globalThis` anyway). */
export const globalObject: typeof globalThis = globalThis;

// ---- Reflect ----

export const ReflectApply = ReflectNamespace.apply;
export const ReflectConstruct = ReflectNamespace.construct;
export const ReflectDefineProperty = ReflectNamespace.defineProperty;
export const ReflectGetOwnPropertyDescriptor = ReflectNamespace.getOwnPropertyDescriptor;
export const ReflectGetPrototypeOf = ReflectNamespace.getPrototypeOf;
export const ReflectOwnKeys = ReflectNamespace.ownKeys;

// ---- Function ----

/** The intrinsic Function constructor (lazy.ts compiles the rarely used families with it). */
export const FunctionCtor = FunctionPrototype.constructor as FunctionConstructor;
export const FunctionPrototypeToString = uncurryThis(FunctionPrototype.toString as (this: unknown) => string);
const FunctionPrototypeSymbolHasInstance = uncurryThis(
  FunctionPrototype[Symbol.hasInstance] as (this: unknown, value: unknown) => boolean,
);

/**
 * `value instanceof C` by the prototype chain only (OrdinaryHasInstance): an app can give a global
 * class its own `Symbol.hasInstance` that says yes to anything.
 */
export function isInstanceOf(value: unknown, C: abstract new (...args: never[]) => unknown): boolean {
  return FunctionPrototypeSymbolHasInstance(C, value);
}

// ---- Object ----

export const ObjectCreate = ObjectCtor.create;
export const ObjectDefineProperty = ObjectCtor.defineProperty;
export const ObjectFreeze = ObjectCtor.freeze;
export const ObjectGetOwnPropertyDescriptor = ObjectCtor.getOwnPropertyDescriptor;
export const ObjectGetPrototypeOf = ObjectCtor.getPrototypeOf;
export const ObjectHasOwn = ObjectCtor.hasOwn;
export const ObjectIs = ObjectCtor.is;
export const ObjectKeys = ObjectCtor.keys;
export const ObjectSetPrototypeOf = ObjectCtor.setPrototypeOf;
export const ObjectPrototypeToString = uncurryThis(ObjectCtor.prototype.toString as (this: unknown) => string);

/** `value` with a null prototype: a property descriptor or record no Object.prototype property can reach. */
export function nullProto<T extends object>(value: T): T {
  ObjectSetPrototypeOf(value, null);
  return value;
}

// ---- Array ----

const ArrayPrototype = ArrayCtor.prototype;
export const ArrayIsArray = ArrayCtor.isArray;
export const ArrayPrototypeIncludes = uncurryThis(ArrayPrototype.includes) as <T>(
  self: readonly T[],
  value: unknown,
) => boolean;
export const ArrayPrototypeIndexOf = uncurryThis(ArrayPrototype.indexOf) as <T>(
  self: readonly T[],
  value: unknown,
  from?: number,
) => number;
export const ArrayPrototypePush = uncurryThis(ArrayPrototype.push) as <T>(self: T[], ...items: T[]) => number;
export const ArrayPrototypeShift = uncurryThis(ArrayPrototype.shift) as <T>(self: T[]) => T | undefined;
export const ArrayPrototypeSort = uncurryThis(ArrayPrototype.sort) as <T>(
  self: T[],
  compare?: (a: T, b: T) => number,
) => T[];
export const ArrayPrototypeSymbolIterator = uncurryThis(ArrayPrototype[Symbol.iterator]) as <T>(
  self: readonly T[],
) => IterableIterator<T>;
const ArrayIteratorPrototypeNext = uncurryThis(
  (ReflectGetPrototypeOf(ArrayPrototype[Symbol.iterator].call([])) as Iterator<unknown>).next as (
    this: unknown,
  ) => IteratorResult<unknown>,
) as <T>(self: Iterator<T>) => IteratorResult<T>;

/** Removes `array[index]`, moving the rest down (no `splice`, which makes its result by species). */
export function arrayRemoveAt<T>(array: T[], index: number): void {
  const n = array.length;
  for (let i = index; i < n - 1; i++) array[i] = array[i + 1] as T;
  array.length = n - 1;
}

/** A copy of `array` (indexed, no species, no iterator). */
export function arrayCopy<T>(array: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < array.length; i++) ArrayPrototypePush(out, array[i] as T);
  return out;
}

// ---- String ----

const StringPrototype = StringCtor.prototype;
export const StringFromCharCode = StringCtor.fromCharCode;
export const StringPrototypeCharCodeAt = uncurryThis(StringPrototype.charCodeAt);
export const StringPrototypeIncludes = uncurryThis(StringPrototype.includes);
export const StringPrototypeIndexOf = uncurryThis(StringPrototype.indexOf);
export const StringPrototypePadStart = uncurryThis(StringPrototype.padStart);
export const StringPrototypeSlice = uncurryThis(StringPrototype.slice);
export const StringPrototypeStartsWith = uncurryThis(StringPrototype.startsWith);
export const StringPrototypeToLowerCase = uncurryThis(StringPrototype.toLowerCase);
export const StringPrototypeToUpperCase = uncurryThis(StringPrototype.toUpperCase);
export const StringPrototypeTrim = uncurryThis(StringPrototype.trim);
export const StringPrototypeTrimEnd = uncurryThis(StringPrototype.trimEnd);
export const StringPrototypeToWellFormed = uncurryThis(
  (StringPrototype as unknown as { toWellFormed(this: string): string }).toWellFormed,
);
export const StringPrototypeValueOf = uncurryThis(StringPrototype.valueOf);

/**
 * `s.split(sep)` for a string separator, without `String.prototype.split` (which also consults
 * `String.prototype[Symbol.split]`, an app could define one).
 */
export function stringSplit(s: string, sep: string): string[] {
  const out: string[] = [];
  if (sep === "") {
    for (let i = 0; i < s.length; i++) ArrayPrototypePush(out, s[i] as string);
    return out;
  }
  let start = 0;
  for (;;) {
    const at = StringPrototypeIndexOf(s, sep, start);
    if (at < 0) break;
    ArrayPrototypePush(out, StringPrototypeSlice(s, start, at));
    start = at + sep.length;
  }
  ArrayPrototypePush(out, StringPrototypeSlice(s, start));
  return out;
}

/** Joins `parts` with `sep` by concatenation (no Array.prototype.join, no element conversions). */
export function stringJoin(parts: readonly string[], sep: string): string {
  let out = "";
  for (let i = 0; i < parts.length; i++) out = i === 0 ? (parts[i] as string) : out + sep + (parts[i] as string);
  return out;
}

// ---- RegExp ----
// Only `exec` is safe to call uncurried: `test`, `@@replace`, `@@split` and `@@match` look up `exec`
// (and `flags`) on the regular expression, which finds RegExp.prototype's replaceable ones.

const RegExpPrototype = RegExpCtor.prototype;
export const RegExpPrototypeExec = uncurryThis(RegExpPrototype.exec);
export const RegExpPrototypeGetSource = getter<RegExp, string>(RegExpPrototype, "source");
export const RegExpPrototypeGetFlags = getter<RegExp, string>(RegExpPrototype, "flags");

/** `re.test(s)` through the captured `exec`. `re` must not be global or sticky (exec would move lastIndex). */
export function regExpTest(re: RegExp, s: string): boolean {
  return RegExpPrototypeExec(re, s) !== null;
}

/**
 * `s.replace(re, fn)` for a global `re`, through the captured `exec`: each match is replaced by what
 * `replace` returns for it.
 */
export function regExpReplaceAll(re: RegExp, s: string, replace: (match: string) => string): string {
  let out = "";
  let last = 0;
  let pos = 0;
  for (;;) {
    // Set before every exec: `replace` may itself use `re` (a console.log from a getter, say).
    re.lastIndex = pos;
    const m = RegExpPrototypeExec(re, s);
    if (m === null) break;
    const match = m[0];
    const index = m.index;
    out += StringPrototypeSlice(s, last, index) + replace(match);
    last = index + match.length;
    pos = match.length === 0 ? last + 1 : last;
  }
  re.lastIndex = 0;
  return out + StringPrototypeSlice(s, last);
}

// ---- Number, Math, Date, JSON, Symbol ----

export const NumberIsFinite = NumberCtor.isFinite;
export const NumberIsInteger = NumberCtor.isInteger;
export const NumberIsNaN = NumberCtor.isNaN;
export const NumberMAX_SAFE_INTEGER = NumberCtor.MAX_SAFE_INTEGER;
export const NumberMIN_SAFE_INTEGER = NumberCtor.MIN_SAFE_INTEGER;
export const NumberPrototypeValueOf = uncurryThis(NumberCtor.prototype.valueOf);
export const NumberPrototypeToString = uncurryThis(NumberCtor.prototype.toString);
export const BooleanPrototypeValueOf = uncurryThis(BooleanCtor.prototype.valueOf);
export const BigIntPrototypeValueOf = uncurryThis(BigInt.prototype.valueOf);

export const MathFloor = MathNamespace.floor;
export const MathMax = MathNamespace.max;
export const MathMin = MathNamespace.min;
export const MathRandom = MathNamespace.random;
export const MathTrunc = MathNamespace.trunc;

export const DateNow = DateCtor.now;
export const DatePrototypeGetTime = uncurryThis(DateCtor.prototype.getTime);
export const DatePrototypeToISOString = uncurryThis(DateCtor.prototype.toISOString);

export const JSONParse = JSONNamespace.parse;
export const JSONStringify = JSONNamespace.stringify;

export const SymbolIterator: typeof Symbol.iterator = SymbolCtor.iterator;
export const SymbolToStringTag: typeof Symbol.toStringTag = SymbolCtor.toStringTag;
export const SymbolPrototypeToString = uncurryThis(SymbolCtor.prototype.toString);
export const SymbolPrototypeValueOf = uncurryThis(SymbolCtor.prototype.valueOf);
export const SymbolCreate = SymbolCtor as (description?: string) => symbol;

// ---- ArrayBuffer, typed arrays, DataView ----

export const ArrayBufferIsView = ArrayBufferCtor.isView;
export const ArrayBufferPrototypeGetByteLength = getter<ArrayBuffer, number>(ArrayBufferCtor.prototype, "byteLength");
const optionalGetter = <T, R>(object: object, key: string): ((self: T) => R) | undefined =>
  typeof ReflectGetOwnPropertyDescriptor(object, key)?.get === "function" ? getter<T, R>(object, key) : undefined;
/** Undefined where the engine lacks them (V8 < 11.4). */
export const ArrayBufferPrototypeGetDetached = optionalGetter<ArrayBuffer, boolean>(
  ArrayBufferCtor.prototype,
  "detached",
);
export const ArrayBufferPrototypeGetResizable = optionalGetter<ArrayBuffer, boolean>(
  ArrayBufferCtor.prototype,
  "resizable",
);
export const ArrayBufferPrototypeGetMaxByteLength = optionalGetter<ArrayBuffer, number>(
  ArrayBufferCtor.prototype,
  "maxByteLength",
);
const transfer = (ArrayBufferCtor.prototype as { transfer?: (this: ArrayBuffer) => ArrayBuffer }).transfer;
export const ArrayBufferPrototypeTransfer = transfer === undefined ? undefined : uncurryThis(transfer);

const TypedArrayPrototype = ReflectGetPrototypeOf(Uint8ArrayCtor.prototype) as object;
export const TypedArrayPrototypeGetBuffer = getter<ArrayBufferView, ArrayBuffer>(TypedArrayPrototype, "buffer");
export const TypedArrayPrototypeGetByteLength = getter<ArrayBufferView, number>(TypedArrayPrototype, "byteLength");
export const TypedArrayPrototypeGetByteOffset = getter<ArrayBufferView, number>(TypedArrayPrototype, "byteOffset");
export const TypedArrayPrototypeGetLength = getter<ArrayBufferView, number>(TypedArrayPrototype, "length");
/** The typed array's kind ("Uint8Array", …), or undefined for anything else: a brand check no object can fake. */
export const TypedArrayPrototypeGetSymbolToStringTag = getter<unknown, string | undefined>(
  TypedArrayPrototype,
  Symbol.toStringTag,
);
export const TypedArrayPrototypeFill = uncurryThis(
  (TypedArrayPrototype as Uint8Array).fill as (
    this: Uint8Array,
    value: number,
    start?: number,
    end?: number,
  ) => Uint8Array,
);
export const TypedArrayPrototypeIndexOf = uncurryThis(
  (TypedArrayPrototype as Uint8Array).indexOf as (this: Uint8Array, value: number, from?: number) => number,
);
export const TypedArrayPrototypeSet = uncurryThis(
  (TypedArrayPrototype as Uint8Array).set as (this: Uint8Array, source: ArrayLike<number>, offset?: number) => void,
);
export const DataViewPrototypeGetBuffer = getter<DataView, ArrayBuffer>(DataViewCtor.prototype, "buffer");
export const DataViewPrototypeGetByteLength = getter<DataView, number>(DataViewCtor.prototype, "byteLength");
export const DataViewPrototypeGetByteOffset = getter<DataView, number>(DataViewCtor.prototype, "byteOffset");

/** Whether `value` is a Uint8Array (by its internal slot, not `instanceof`, which an app can fake). */
export function isUint8Array(value: unknown): value is Uint8Array {
  return TypedArrayPrototypeGetSymbolToStringTag(value) === "Uint8Array";
}

/**
 * Whether `value` is an ArrayBuffer: one whose prototype chain has ArrayBuffer.prototype (checked first,
 * so other objects cost no exception) and that has the internal slot (an object made from
 * ArrayBuffer.prototype is not one; neither is a SharedArrayBuffer).
 */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  if (typeof value !== "object" || value === null || !isInstanceOf(value, ArrayBufferCtor)) return false;
  try {
    ArrayBufferPrototypeGetByteLength(value as ArrayBuffer);
    return true;
  } catch {
    return false;
  }
}

/** A Uint8Array of `values` (not `new Uint8Array(array)`, which would iterate the array with its iterator). */
export function uint8ArrayOf(...values: number[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8ArrayCtor(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
  return out;
}

/** A Uint8Array over the bytes `view` (a typed array or DataView) sees, read through the intrinsic accessors. */
export function viewBytes(view: ArrayBufferView): Uint8Array {
  if (TypedArrayPrototypeGetSymbolToStringTag(view) !== undefined) {
    return new Uint8ArrayCtor(
      TypedArrayPrototypeGetBuffer(view),
      TypedArrayPrototypeGetByteOffset(view),
      TypedArrayPrototypeGetByteLength(view),
    );
  }
  const dv = view as DataView;
  return new Uint8ArrayCtor(
    DataViewPrototypeGetBuffer(dv),
    DataViewPrototypeGetByteOffset(dv),
    DataViewPrototypeGetByteLength(dv),
  );
}

/** A new Uint8Array holding a copy of `view`'s bytes (no species lookup, unlike `slice`). */
export function copyBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  const length = TypedArrayPrototypeGetByteLength(view);
  const out = new Uint8ArrayCtor(length);
  if (length > 0) TypedArrayPrototypeSet(out, view);
  return out;
}

/** A Uint8Array over `view`'s bytes from `start` to `end` (no copy; no species lookup, unlike `subarray`). */
export function subBytes(
  view: Uint8Array,
  start: number,
  end: number = TypedArrayPrototypeGetLength(view),
): Uint8Array {
  return new Uint8ArrayCtor(
    TypedArrayPrototypeGetBuffer(view),
    TypedArrayPrototypeGetByteOffset(view) + start,
    end - start,
  );
}

/** A new ArrayBuffer holding a copy of `buffer`'s bytes from `start` to `end` (no species lookup, unlike `slice`). */
export function copyBuffer(
  buffer: ArrayBuffer,
  start = 0,
  end: number = ArrayBufferPrototypeGetByteLength(buffer),
): ArrayBuffer {
  const out = new Uint8ArrayCtor(end - start);
  if (end > start) TypedArrayPrototypeSet(out, new Uint8ArrayCtor(buffer, start, end - start));
  return TypedArrayPrototypeGetBuffer(out);
}

/** The ArrayBuffer to hand the host for `bytes`: its own buffer when the view covers all of it, else a copy. */
export function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = TypedArrayPrototypeGetBuffer(bytes);
  const whole =
    TypedArrayPrototypeGetByteOffset(bytes) === 0 &&
    TypedArrayPrototypeGetByteLength(bytes) === ArrayBufferPrototypeGetByteLength(buffer);
  return whole ? buffer : TypedArrayPrototypeGetBuffer(copyBytes(bytes));
}

// ---- Promise ----

const PromisePrototype = PromiseCtor.prototype;
export const PromisePrototypeThen = uncurryThis(PromisePrototype.then) as <T, R1 = T, R2 = never>(
  self: Promise<T>,
  onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
) => Promise<R1 | R2>;
export const PromiseResolve = ReflectApply(functionBind, PromiseCtor.resolve, [PromiseCtor]) as <T>(
  value: T,
) => Promise<Awaited<T>>;
export const PromiseReject = ReflectApply(functionBind, PromiseCtor.reject, [PromiseCtor]) as <T = never>(
  reason?: unknown,
) => Promise<T>;

/** `promise.catch(onRejected)` without looking up `then` (which `catch` does). */
export function PromisePrototypeCatch<T, R = never>(
  promise: Promise<T>,
  onRejected: (reason: unknown) => R | PromiseLike<R>,
): Promise<T | R> {
  return PromisePrototypeThen(promise, undefined, onRejected);
}

// ---- Map, Set, WeakRef ----

export const MapPrototypeGet = uncurryThis(MapCtor.prototype.get) as <K, V>(self: Map<K, V>, key: K) => V | undefined;
export const MapPrototypeSet = uncurryThis(MapCtor.prototype.set) as <K, V>(
  self: Map<K, V>,
  key: K,
  value: V,
) => Map<K, V>;
export const MapPrototypeHas = uncurryThis(MapCtor.prototype.has) as <K, V>(self: Map<K, V>, key: K) => boolean;
export const MapPrototypeForEach = uncurryThis(MapCtor.prototype.forEach) as <K, V>(
  self: Map<K, V>,
  callback: (value: V, key: K) => void,
) => void;
export const MapPrototypeGetSize = getter<Map<unknown, unknown>, number>(MapCtor.prototype, "size");
export const SetPrototypeAdd = uncurryThis(SetCtor.prototype.add) as <T>(self: Set<T>, value: T) => Set<T>;
export const SetPrototypeHas = uncurryThis(SetCtor.prototype.has) as <T>(self: Set<T>, value: T) => boolean;
export const SetPrototypeForEach = uncurryThis(SetCtor.prototype.forEach) as <T>(
  self: Set<T>,
  callback: (value: T) => void,
) => void;
export const SetPrototypeGetSize = getter<Set<unknown>, number>(SetCtor.prototype, "size");
export const WeakRefPrototypeDeref = uncurryThis(WeakRefCtor.prototype.deref) as <T extends object>(
  self: WeakRef<T>,
) => T | undefined;

/**
 * An iterator class over `factory(iterable)` whose `next` is the captured one, on a frozen
 * null-prototype prototype (so `for…of` over it looks nothing up that an app could have replaced).
 */
function createSafeIterator<T>(
  factory: (self: unknown) => Iterator<T>,
  next: (self: Iterator<T>) => IteratorResult<T>,
): new (
  iterable: unknown,
) => IterableIterator<T> {
  class SafeIterator {
    #iterator: Iterator<T>;
    constructor(iterable: unknown) {
      this.#iterator = factory(iterable);
    }
    next(): IteratorResult<T> {
      return next(this.#iterator);
    }
    [Symbol.iterator](): this {
      return this;
    }
  }
  ObjectSetPrototypeOf(SafeIterator.prototype, null);
  ObjectFreeze(SafeIterator.prototype);
  ObjectFreeze(SafeIterator);
  return SafeIterator as unknown as new (
    iterable: unknown,
  ) => IterableIterator<T>;
}

/**
 * Node's makeSafe: copies `unsafe.prototype`'s members onto `safe.prototype` (iterator-returning methods
 * wrapped in safe iterators), cuts `safe.prototype` from `unsafe.prototype` and freezes both.
 */
function makeSafe<C extends new (...args: never[]) => object>(unsafe: C, safe: C, statics = false): C {
  const unsafeProto = unsafe.prototype as object;
  const safeProto = safe.prototype as object;
  let dummy: object | undefined;
  let next: ((self: Iterator<unknown>) => IteratorResult<unknown>) | undefined;
  const keys = ReflectOwnKeys(unsafeProto);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as PropertyKey;
    if (key === "constructor") continue;
    const desc = ReflectGetOwnPropertyDescriptor(unsafeProto, key) as PropertyDescriptor;
    const method = desc.value;
    if (typeof method === "function" && method.length === 0) {
      dummy ??= new unsafe();
      const result = ReflectApply(method, dummy, []) as unknown;
      if (typeof result === "object" && result !== null && Symbol.iterator in result) {
        const createIterator = uncurryThis(method as (this: unknown) => Iterator<unknown>);
        next ??= uncurryThis(
          (ReflectGetPrototypeOf(result) as { next(this: Iterator<unknown>): IteratorResult<unknown> }).next,
        );
        const SafeIterator = createSafeIterator(createIterator, next);
        desc.value = function (this: unknown) {
          return new SafeIterator(this);
        };
      }
    }
    ReflectDefineProperty(safeProto, key, nullProto(desc));
  }
  if (statics) {
    const staticKeys = ReflectOwnKeys(unsafe);
    for (let i = 0; i < staticKeys.length; i++) {
      const key = staticKeys[i] as PropertyKey;
      if (key === "prototype" || key === "name" || key === "length") continue;
      ReflectDefineProperty(safe, key, nullProto(ReflectGetOwnPropertyDescriptor(unsafe, key) as PropertyDescriptor));
    }
  }
  ObjectSetPrototypeOf(safeProto, null);
  ObjectFreeze(safeProto);
  ObjectFreeze(safe);
  return safe;
}

/**
 * A Map for the runtime's own bookkeeping: methods and iterators are the captured ones. Never hand
 * one to the app (its prototype is not Map.prototype). Made empty: the Map constructor would iterate
 * an argument with `set` and the argument's iterator.
 */
export class SafeMap<K, V> extends MapCtor<K, V> {
  // biome-ignore lint/complexity/noUselessConstructor: takes no iterable (see above).
  constructor() {
    super();
  }
}
makeSafe(MapCtor, SafeMap);

/** A Set for the runtime's own bookkeeping (see SafeMap). */
export class SafeSet<T> extends SetCtor<T> {
  // biome-ignore lint/complexity/noUselessConstructor: takes no iterable (see above).
  constructor() {
    super();
  }
}
makeSafe(SetCtor, SafeSet);

/**
 * A promise whose `then` (and `catch`, `finally`, species) are the captured ones, on a frozen prototype
 * the app cannot reach: hand one to code that resolves another promise with it (a stream's pull
 * result, for one), where a native promise's `then` would be looked up on Promise.prototype.
 */
export class SafePromise<T> extends PromiseCtor<T> {
  constructor(executor: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void) => void) {
    super(executor);
  }
}
makeSafe(PromiseCtor, SafePromise, true);

/** A SafeSet holding `values`. */
export function safeSetOf<T>(values: readonly T[]): SafeSet<T> {
  const set = new SafeSet<T>();
  for (let i = 0; i < values.length; i++) set.add(values[i] as T);
  return set;
}

/** `for (const x of array)` without the array iterator (which an app can replace). */
export const SafeArrayIterator = createSafeIterator(
  ArrayPrototypeSymbolIterator as (self: unknown) => Iterator<unknown>,
  ArrayIteratorPrototypeNext,
) as new <T>(
  array: readonly T[],
) => IterableIterator<T>;
