/**
 * https://html.spec.whatwg.org/multipage/structured-data.html — structuredClone and the structured
 * serialize/deserialize algorithms, written in JS (V8's ValueSerializer is not reachable from inside an
 * isolate). As in the spec, the whole value is serialized to records before anything is transferred, so
 * a value that fails to serialize detaches nothing.
 *
 * Deviations a pure-JS implementation cannot avoid: a Proxy is cloned as the object it pretends to be
 * (the spec throws, but a Proxy is undetectable), and an object's kind is told by its built-in
 * @@toStringTag before the brand check confirms it, so a Map or Date whose prototype was swapped is
 * cloned as a plain object.
 */
import { DOMException, isDOMException } from "./dom-exception.js";

type Primitive = undefined | null | boolean | number | bigint | string;
type Serialized = Primitive | Rec;
type Props = [string, Serialized][];
type Rec =
  | { t: "boxed"; value: Primitive }
  | { t: "date"; time: number }
  | { t: "regexp"; source: string; flags: string }
  | { t: "buffer"; bytes: ArrayBuffer; maxByteLength: number | undefined }
  | { t: "view"; kind: string; buffer: Rec; byteOffset: number; length: number }
  | { t: "map"; entries: Serialized[] }
  | { t: "set"; values: Serialized[] }
  | { t: "error"; name: string; message?: string; stack?: string; cause?: Serialized; hasCause: boolean }
  | { t: "array"; length: number; props: Props }
  | { t: "object"; props: Props }
  | { t: "host"; type: SerializableType; data: unknown }
  | { t: "transfer"; index: number };

/** A platform class whose instances can be serialized (https://html.spec.whatwg.org/#serializable-objects). */
export interface SerializableType {
  is(value: object): boolean;
  serialize(value: object, serializeInner: (value: unknown) => Serialized): unknown;
  deserialize(data: unknown, deserializeInner: (value: Serialized) => unknown): object;
}

/** A platform class whose instances can be transferred (https://html.spec.whatwg.org/#transferable-objects). */
export interface TransferableType {
  is(value: object): boolean;
  isDetached(value: object): boolean;
  /** The transfer steps: returns the data holder and detaches `value`. */
  transfer(value: object): unknown;
  receive(holder: unknown): object;
}

const platformPrototypes = new Set<object>();
const serializables: SerializableType[] = [];
const transferables: TransferableType[] = [];

/** Marks instances of these classes as platform objects: not serializable unless registered as such. */
export function registerPlatformClasses(classes: Iterable<unknown>): void {
  for (const cls of classes) {
    if (typeof cls === "function" && cls.prototype) platformPrototypes.add(cls.prototype as object);
  }
}
export function registerSerializable(type: SerializableType): void {
  serializables.push(type);
}
export function registerTransferable(type: TransferableType): void {
  transferables.push(type);
}

// Intrinsics, captured before app code can replace them; each getter doubles as a brand check.
const { getPrototypeOf, hasOwn, keys, defineProperty } = Object;
const objectToString = Object.prototype.toString;
const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(typedArrayProto, "length")!.get!;
const viewBuffer = (v: ArrayBufferView) => v.buffer;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, "size")!.get!;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, "size")!.get!;
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const mapSet = Map.prototype.set;
const setAdd = Set.prototype.add;
const dateGetTime = Date.prototype.getTime;
const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, "source")!.get!;
const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, "flags")!.get!;
const NativeMap = Map;
const NativeSet = Set;
const NativeDate = Date;
const NativeRegExp = RegExp;
const NativeArrayBuffer = ArrayBuffer;
const NativeDataView = DataView;
const NativePromise = Promise;
const weakMapHas = WeakMap.prototype.has;
const weakSetHas = WeakSet.prototype.has;
const weakRefDeref = WeakRef.prototype.deref;
const registryUnregister = FinalizationRegistry.prototype.unregister;

const BOXED: Record<string, (v: unknown) => Primitive> = {
  "[object Boolean]": (v) => Boolean.prototype.valueOf.call(v),
  "[object Number]": (v) => Number.prototype.valueOf.call(v),
  "[object String]": (v) => String.prototype.valueOf.call(v),
  "[object BigInt]": (v) => BigInt.prototype.valueOf.call(v),
};

const ERROR_TYPES: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

type TypedArrayConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
const VIEW_TYPES: Record<string, TypedArrayConstructor> = {};
for (const name of [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]) {
  const ctor = (globalThis as Record<string, unknown>)[name];
  if (typeof ctor === "function") VIEW_TYPES[name] = ctor as TypedArrayConstructor;
}
VIEW_TYPES.DataView = NativeDataView as unknown as TypedArrayConstructor;

function cloneError(what: string): DOMException {
  return new DOMException(`${what} could not be cloned.`, "DataCloneError");
}

/** Runs a brand check that throws a TypeError on the wrong kind of object. */
function brand<T>(check: (this: unknown) => T, value: unknown): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: Reflect.apply(check, value, []) };
  } catch {
    return { ok: false };
  }
}

function isArrayBuffer(value: object): value is ArrayBuffer {
  return brand(arrayBufferByteLength, value).ok;
}

function isDetached(buffer: ArrayBuffer): boolean {
  if (typeof buffer.detached === "boolean") return buffer.detached;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

function isPlatformObject(value: object): boolean {
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) {
    if (platformPrototypes.has(p)) return true;
  }
  return false;
}

/** Tags whose objects carry internal slots the algorithm cannot serialize (confirmed by a brand check). */
const UNCLONEABLE: Record<string, (this: unknown) => unknown> = {
  "[object WeakMap]": function (this: unknown) {
    return weakMapHas.call(this as WeakMap<object, unknown>, {});
  },
  "[object WeakSet]": function (this: unknown) {
    return weakSetHas.call(this as WeakSet<object>, {});
  },
  "[object WeakRef]": function (this: unknown) {
    return weakRefDeref.call(this as WeakRef<object>);
  },
  "[object FinalizationRegistry]": function (this: unknown) {
    return registryUnregister.call(this as FinalizationRegistry<unknown>, {});
  },
  "[object Symbol]": function (this: unknown) {
    return Symbol.prototype.valueOf.call(this);
  },
  "[object SharedArrayBuffer]": function (this: unknown) {
    const sab = (globalThis as { SharedArrayBuffer?: { prototype: object } }).SharedArrayBuffer;
    const get = sab && Object.getOwnPropertyDescriptor(sab.prototype, "byteLength")?.get;
    if (!get) throw new TypeError("no SharedArrayBuffer");
    return get.call(this);
  },
  "[object Promise]": function (this: unknown) {
    if (!(this instanceof NativePromise)) throw new TypeError("not a promise");
  },
};

/** https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializeinternal */
function serialize(value: unknown, memory: Map<object, Rec>): Serialized {
  if (typeof value === "symbol") throw cloneError(String(value));
  if (typeof value === "function") throw cloneError(`function ${value.name || "(anonymous)"}`);
  if (typeof value !== "object" || value === null) return value as Primitive;
  const seen = memory.get(value);
  if (seen !== undefined) return seen;
  const inner = (v: unknown) => serialize(v, memory);

  if (ArrayBuffer.isView(value)) {
    const kind = (typedArrayTag.call(value) as string | undefined) ?? "DataView";
    const buffer = serialize(viewBuffer(value), memory) as Rec;
    const length = kind === "DataView" ? value.byteLength : (typedArrayLength.call(value) as number);
    const rec: Rec = { t: "view", kind, buffer, byteOffset: value.byteOffset, length };
    memory.set(value, rec);
    return rec;
  }

  const tag = objectToString.call(value);
  let rec: Rec | null = null;
  const boxed = BOXED[tag];
  if (boxed) {
    const b = brand(function (this: unknown) {
      return boxed(this);
    }, value);
    if (b.ok) rec = { t: "boxed", value: b.value };
  } else if (tag === "[object Date]") {
    const time = brand(dateGetTime, value);
    if (time.ok) rec = { t: "date", time: time.value };
  } else if (tag === "[object RegExp]") {
    const source = brand(regexpSource, value);
    if (source.ok) rec = { t: "regexp", source: source.value as string, flags: regexpFlags.call(value) as string };
  } else if (tag === "[object ArrayBuffer]" && isArrayBuffer(value)) {
    if (isDetached(value)) throw cloneError("A detached ArrayBuffer");
    rec = {
      t: "buffer",
      bytes: value.slice(0),
      maxByteLength: value.resizable ? value.maxByteLength : undefined,
    };
  } else if (tag in UNCLONEABLE && brand(UNCLONEABLE[tag]!, value).ok) {
    throw cloneError(tag);
  }
  if (rec !== null) {
    memory.set(value, rec);
    return rec;
  }

  if (tag === "[object Map]" && brand(mapSize, value).ok) {
    const entries: unknown[] = [];
    mapForEach.call(value as Map<unknown, unknown>, (v, k) => entries.push(k, v));
    const map: Rec = { t: "map", entries: [] };
    memory.set(value, map);
    for (const e of entries) map.entries.push(inner(e));
    return map;
  }
  if (tag === "[object Set]" && brand(setSize, value).ok) {
    const values: unknown[] = [];
    setForEach.call(value as Set<unknown>, (v) => values.push(v));
    const set: Rec = { t: "set", values: [] };
    memory.set(value, set);
    for (const v of values) set.values.push(inner(v));
    return set;
  }
  if (isDOMException(value)) {
    return hostRecord(value, domExceptionType, memory);
  }
  if (tag === "[object Error]" && !isPlatformObject(value)) {
    const nameValue = (value as Error).name;
    const name = typeof nameValue === "string" && hasOwn(ERROR_TYPES, nameValue) ? nameValue : "Error";
    const messageDesc = Object.getOwnPropertyDescriptor(value, "message");
    const err: Rec & { t: "error" } = { t: "error", name, hasCause: false };
    if (messageDesc && "value" in messageDesc) err.message = String(messageDesc.value);
    const stack = (value as Error).stack;
    if (typeof stack === "string") err.stack = stack;
    memory.set(value, err);
    const causeDesc = Object.getOwnPropertyDescriptor(value, "cause");
    if (causeDesc && "value" in causeDesc) {
      err.hasCause = true;
      err.cause = inner(causeDesc.value);
    }
    return err;
  }
  if (Array.isArray(value)) {
    const array: Rec = { t: "array", length: value.length, props: [] };
    memory.set(value, array);
    serializeProps(value, array.props, inner);
    return array;
  }
  if (isPlatformObject(value)) {
    const type = serializables.find((s) => s.is(value));
    if (!type) throw cloneError(`${tag.slice(8, -1)} object`);
    return hostRecord(value, type, memory);
  }
  const object: Rec = { t: "object", props: [] };
  memory.set(value, object);
  serializeProps(value, object.props, inner);
  return object;
}

function hostRecord(value: object, type: SerializableType, memory: Map<object, Rec>): Rec {
  const rec: Rec & { t: "host" } = { t: "host", type, data: undefined };
  memory.set(value, rec);
  rec.data = type.serialize(value, (v) => serialize(v, memory));
  return rec;
}

/** Own enumerable string keys, read once up front; a key deleted by an earlier getter is skipped. */
function serializeProps(value: object, props: Props, inner: (v: unknown) => Serialized): void {
  for (const key of keys(value)) {
    if (hasOwn(value, key)) props.push([key, inner((value as Record<string, unknown>)[key])]);
  }
}

function defineData(target: object, key: string, value: unknown): void {
  defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** https://html.spec.whatwg.org/multipage/structured-data.html#structureddeserialize */
function deserialize(serialized: Serialized, memory: Map<Rec, unknown>): unknown {
  if (typeof serialized !== "object" || serialized === null) return serialized;
  if (memory.has(serialized)) return memory.get(serialized);
  const inner = (v: Serialized) => deserialize(v, memory);
  const rec = serialized;
  let value: unknown;
  switch (rec.t) {
    case "boxed":
      value = Object(rec.value);
      break;
    case "date":
      value = new NativeDate(rec.time);
      break;
    case "regexp":
      value = new NativeRegExp(rec.source, rec.flags);
      break;
    case "buffer":
      if (rec.maxByteLength === undefined) {
        value = rec.bytes;
      } else {
        const buffer = new NativeArrayBuffer(rec.bytes.byteLength, { maxByteLength: rec.maxByteLength });
        new Uint8Array(buffer).set(new Uint8Array(rec.bytes));
        value = buffer;
      }
      break;
    case "view": {
      const buffer = inner(rec.buffer) as ArrayBuffer;
      value = new VIEW_TYPES[rec.kind]!(buffer, rec.byteOffset, rec.length);
      break;
    }
    case "map": {
      const map = new NativeMap();
      memory.set(rec, map);
      for (let i = 0; i < rec.entries.length; i += 2) {
        mapSet.call(map, inner(rec.entries[i]), inner(rec.entries[i + 1]));
      }
      return map;
    }
    case "set": {
      const set = new NativeSet();
      memory.set(rec, set);
      for (const v of rec.values) setAdd.call(set, inner(v));
      return set;
    }
    case "error": {
      const error = new ERROR_TYPES[rec.name]!();
      memory.set(rec, error);
      const hidden = { writable: true, enumerable: false, configurable: true };
      if (rec.message !== undefined) defineProperty(error, "message", { value: rec.message, ...hidden });
      if (rec.stack !== undefined) defineProperty(error, "stack", { value: rec.stack, ...hidden });
      if (rec.hasCause) defineProperty(error, "cause", { value: inner(rec.cause), ...hidden });
      return error;
    }
    case "array": {
      const array = new Array(rec.length);
      memory.set(rec, array);
      for (const [k, v] of rec.props) defineData(array, k, inner(v));
      return array;
    }
    case "object": {
      const object = {};
      memory.set(rec, object);
      for (const [k, v] of rec.props) defineData(object, k, inner(v));
      return object;
    }
    case "host":
      value = rec.type.deserialize(rec.data, inner);
      break;
    case "transfer":
      throw new Error("unreachable: transferred values are in memory");
  }
  memory.set(rec, value);
  return value;
}

const domExceptionType: SerializableType = {
  is: (value) => isDOMException(value),
  serialize: (value) => {
    const e = value as DOMException;
    return { name: e.name, message: e.message };
  },
  deserialize: (data) => {
    const { name, message } = data as { name: string; message: string };
    return new DOMException(message, name);
  },
};

/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializewithtransfer, then
 * StructuredDeserializeWithTransfer: the clone, and the transferred objects in transfer-list order.
 */
export function cloneWithTransfer(
  value: unknown,
  transferList: readonly object[],
): { value: unknown; transferred: object[] } {
  const memory = new Map<object, Rec>();
  const types: (TransferableType | null)[] = [];
  transferList.forEach((transferable, index) => {
    const type = isArrayBuffer(transferable) ? null : transferables.find((t) => t.is(transferable));
    if (type === undefined) throw cloneError("A value in the transfer list");
    if (memory.has(transferable)) throw cloneError("A value listed twice for transfer");
    memory.set(transferable, { t: "transfer", index });
    types.push(type);
  });
  const serialized = serialize(value, memory);
  const holders = transferList.map((transferable, i) => {
    const type = types[i]!;
    if (type === null) {
      const buffer = transferable as ArrayBuffer;
      if (isDetached(buffer)) throw cloneError("A detached ArrayBuffer");
      // Without ArrayBuffer.prototype.transfer (V8 < 11.4) the bytes are copied and not detached.
      return typeof buffer.transfer === "function" ? buffer.transfer() : buffer.slice(0);
    }
    if (type.isDetached(transferable)) throw cloneError("A detached object");
    return type.transfer(transferable);
  });
  const transferred = holders.map((holder, i) => {
    const type = types[i]!;
    return type === null ? (holder as ArrayBuffer) : type.receive(holder);
  });
  const deserializeMemory = new Map<Rec, unknown>();
  transferList.forEach((transferable, i) => {
    deserializeMemory.set(memory.get(transferable)!, transferred[i]);
  });
  return { value: deserialize(serialized, deserializeMemory), transferred };
}

/** https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializeoptions */
export function toTransferList(options: unknown): object[] {
  if (options === undefined || options === null) return [];
  if (typeof options !== "object" && typeof options !== "function") throw new TypeError("options is not an object");
  const transfer = (options as { transfer?: unknown }).transfer;
  return transfer === undefined ? [] : toObjectSequence(transfer, "transfer");
}

/** https://webidl.spec.whatwg.org/#js-sequence of `object`. */
export function toObjectSequence(value: unknown, what: string): object[] {
  const iterator = typeof value === "object" && value !== null ? (value as Iterable<unknown>)[Symbol.iterator] : null;
  if (typeof iterator !== "function") throw new TypeError(`${what} is not a sequence`);
  const list: object[] = [];
  for (const item of value as Iterable<unknown>) {
    if ((typeof item !== "object" && typeof item !== "function") || item === null) {
      throw new TypeError(`${what} may only hold objects`);
    }
    list.push(item);
  }
  return list;
}

/** https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone */
export function structuredClone(
  value: unknown,
  options: { transfer?: Iterable<object> } | undefined = undefined,
): unknown {
  // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
  if (arguments.length < 1) throw new TypeError("structuredClone: 1 argument required, but only 0 present");
  return cloneWithTransfer(value, toTransferList(options)).value;
}
