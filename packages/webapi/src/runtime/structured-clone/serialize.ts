/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializeinternal — a value to
 * records.
 *
 * Deviations a pure-JS implementation cannot avoid: a Proxy is serialized as the object it pretends to be
 * (the spec throws, but a Proxy is undetectable), and an object's kind is told by its built-in
 * @@toStringTag before the brand check confirms it, so a Map or Date whose prototype was swapped is
 * serialized as a plain object.
 */
import { DOMException, isDOMException } from "../dom-exception.js";
import { brand, isArrayBuffer, isDetached } from "./brand-checks.js";
import { ERROR_TYPES, type Primitive, type Props, type Rec, type Serialized } from "./records.js";
import { domExceptionType, isPlatformObject, type SerializableType, serializableFor } from "./registry.js";

// Intrinsics, captured before app code can replace them; each getter doubles as a brand check.
const { getPrototypeOf, hasOwn, keys } = Object;
const objectToString = Object.prototype.toString;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(typedArrayProto, "length")!.get!;
const viewBuffer = (v: ArrayBufferView) => v.buffer;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, "size")!.get!;
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, "size")!.get!;
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const dateGetTime = Date.prototype.getTime;
const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, "source")!.get!;
const regexpFlags = Object.getOwnPropertyDescriptor(RegExp.prototype, "flags")!.get!;
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

/** The DataCloneError for a value that cannot be serialized or transferred. */
export function cloneError(what: string): DOMException {
  return new DOMException(`${what} could not be cloned.`, "DataCloneError");
}

/** StructuredSerializeInternal; `memory` maps each object already seen to its record. */
export function serialize(value: unknown, memory: Map<object, Rec>): Serialized {
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
    const type = serializableFor(value);
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
