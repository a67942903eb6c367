// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
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
import {
  ArrayBufferIsView,
  ArrayBufferPrototypeGetMaxByteLength,
  ArrayBufferPrototypeGetResizable,
  ArrayIsArray,
  ArrayPrototypePush,
  BigIntPrototypeValueOf,
  BooleanPrototypeValueOf,
  copyBuffer,
  DataViewPrototypeGetBuffer,
  DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset,
  DatePrototypeGetTime,
  globalObject,
  ObjectHasOwn as hasOwn,
  isInstanceOf,
  ObjectKeys as keys,
  MapPrototypeForEach,
  MapPrototypeGetSize,
  Promise as NativePromise,
  NumberPrototypeValueOf,
  nullProto,
  ObjectGetOwnPropertyDescriptor,
  ObjectPrototypeToString,
  RegExpPrototypeGetFlags,
  RegExpPrototypeGetSource,
  SetPrototypeForEach,
  SetPrototypeGetSize,
  String as StringCtor,
  StringPrototypeSlice,
  StringPrototypeValueOf,
  SymbolPrototypeValueOf,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypeError,
  uncurryThis,
} from "../primordials.js";
import { brand, isArrayBuffer, isDetached } from "./brand-checks.js";
import { ERROR_TYPES, type Primitive, type Props, type Rec, type Serialized } from "./records.js";
import { domExceptionType, isPlatformObject, type SerializableType, serializableFor } from "./registry.js";

// Intrinsics, captured before app code can replace them; each getter doubles as a brand check.
const weakMapHas = uncurryThis(WeakMap.prototype.has);
const weakSetHas = uncurryThis(WeakSet.prototype.has);
const weakRefDeref = uncurryThis(WeakRef.prototype.deref);
const registryUnregister = uncurryThis(FinalizationRegistry.prototype.unregister);

// Null prototypes: a tag is looked up in these, and must not find what an app put on Object.prototype.
const BOXED: Record<string, (v: unknown) => Primitive> = nullProto({
  "[object Boolean]": (v: unknown) => BooleanPrototypeValueOf(v as boolean),
  "[object Number]": (v: unknown) => NumberPrototypeValueOf(v as number),
  "[object String]": (v: unknown) => StringPrototypeValueOf(v as string),
  "[object BigInt]": (v: unknown) => BigIntPrototypeValueOf(v as bigint),
});

/** Tags whose objects carry internal slots the algorithm cannot serialize (confirmed by a brand check). */
const UNCLONEABLE: Record<string, (this: unknown) => unknown> = nullProto({
  "[object WeakMap]": function (this: unknown) {
    return weakMapHas(this as WeakMap<object, unknown>, {});
  },
  "[object WeakSet]": function (this: unknown) {
    return weakSetHas(this as WeakSet<object>, {});
  },
  "[object WeakRef]": function (this: unknown) {
    return weakRefDeref(this as WeakRef<object>);
  },
  "[object FinalizationRegistry]": function (this: unknown) {
    return registryUnregister(this as FinalizationRegistry<unknown>, {});
  },
  "[object Symbol]": function (this: unknown) {
    return SymbolPrototypeValueOf(this as symbol);
  },
  "[object SharedArrayBuffer]": function (this: unknown) {
    const sab = (globalObject as { SharedArrayBuffer?: { prototype: object } }).SharedArrayBuffer;
    const get = sab && ObjectGetOwnPropertyDescriptor(sab.prototype, "byteLength")?.get;
    if (!get) throw new TypeError("no SharedArrayBuffer");
    return uncurryThis(get)(this);
  },
  "[object Promise]": function (this: unknown) {
    if (!isInstanceOf(this, NativePromise)) throw new TypeError("not a promise");
  },
});

/** The DataCloneError for a value that cannot be serialized or transferred. */
export function cloneError(what: string): DOMException {
  return new DOMException(`${what} could not be cloned.`, "DataCloneError");
}

/** StructuredSerializeInternal; `memory` maps each object already seen to its record. */
export function serialize(value: unknown, memory: Map<object, Rec>): Serialized {
  if (typeof value === "symbol") throw cloneError(StringCtor(value));
  if (typeof value === "function") throw cloneError(`function ${value.name || "(anonymous)"}`);
  if (typeof value !== "object" || value === null) return value as Primitive;
  const seen = memory.get(value);
  if (seen !== undefined) return seen;

  if (ArrayBufferIsView(value)) {
    const tag = TypedArrayPrototypeGetSymbolToStringTag(value);
    const kind = tag ?? "DataView";
    const isTyped = tag !== undefined;
    const dv = value as DataView;
    const buffer = serialize(
      isTyped ? TypedArrayPrototypeGetBuffer(value) : DataViewPrototypeGetBuffer(dv),
      memory,
    ) as Rec;
    const length = isTyped ? TypedArrayPrototypeGetLength(value) : DataViewPrototypeGetByteLength(dv);
    const byteOffset = isTyped ? TypedArrayPrototypeGetByteOffset(value) : DataViewPrototypeGetByteOffset(dv);
    const rec: Rec = { t: "view", kind, buffer, byteOffset, length };
    memory.set(value, rec);
    return rec;
  }

  const tag = ObjectPrototypeToString(value);
  let rec: Rec | null = null;
  const boxed = BOXED[tag];
  if (boxed) {
    const b = brand(function (this: unknown) {
      return boxed(this);
    }, value);
    if (b.ok) rec = { t: "boxed", value: b.value };
  } else if (tag === "[object Date]") {
    const time = brand(function (this: unknown) {
      return DatePrototypeGetTime(this as Date);
    }, value);
    if (time.ok) rec = { t: "date", time: time.value };
  } else if (tag === "[object RegExp]") {
    const source = brand(function (this: unknown) {
      return RegExpPrototypeGetSource(this as RegExp);
    }, value);
    if (source.ok) rec = { t: "regexp", source: source.value, flags: RegExpPrototypeGetFlags(value as RegExp) };
  } else if (tag === "[object ArrayBuffer]" && isArrayBuffer(value)) {
    if (isDetached(value)) throw cloneError("A detached ArrayBuffer");
    rec = {
      t: "buffer",
      bytes: copyBuffer(value),
      maxByteLength:
        ArrayBufferPrototypeGetResizable?.(value) === true ? ArrayBufferPrototypeGetMaxByteLength?.(value) : undefined,
    };
  } else if (tag in UNCLONEABLE && brand(UNCLONEABLE[tag]!, value).ok) {
    throw cloneError(tag);
  }
  if (rec !== null) {
    memory.set(value, rec);
    return rec;
  }

  if (
    tag === "[object Map]" &&
    brand(function (this: unknown) {
      return MapPrototypeGetSize(this as Map<unknown, unknown>);
    }, value).ok
  ) {
    const entries: unknown[] = [];
    MapPrototypeForEach(value as Map<unknown, unknown>, (v, k) => ArrayPrototypePush(entries, k, v));
    const map: Rec = { t: "map", entries: [] };
    memory.set(value, map);
    for (let i = 0; i < entries.length; i++) ArrayPrototypePush(map.entries, serialize(entries[i], memory));
    return map;
  }
  if (
    tag === "[object Set]" &&
    brand(function (this: unknown) {
      return SetPrototypeGetSize(this as Set<unknown>);
    }, value).ok
  ) {
    const values: unknown[] = [];
    SetPrototypeForEach(value as Set<unknown>, (v) => ArrayPrototypePush(values, v));
    const set: Rec = { t: "set", values: [] };
    memory.set(value, set);
    for (let i = 0; i < values.length; i++) ArrayPrototypePush(set.values, serialize(values[i], memory));
    return set;
  }
  if (isDOMException(value)) {
    return hostRecord(value, domExceptionType, memory);
  }
  if (tag === "[object Error]" && !isPlatformObject(value)) {
    const nameValue = (value as Error).name;
    const name = typeof nameValue === "string" && hasOwn(ERROR_TYPES, nameValue) ? nameValue : "Error";
    const messageDesc = ObjectGetOwnPropertyDescriptor(value, "message");
    const err: Rec & { t: "error" } = { t: "error", name, hasCause: false };
    if (messageDesc && "value" in messageDesc) err.message = StringCtor(messageDesc.value);
    const stack = (value as Error).stack;
    if (typeof stack === "string") err.stack = stack;
    memory.set(value, err);
    const causeDesc = ObjectGetOwnPropertyDescriptor(value, "cause");
    if (causeDesc && "value" in causeDesc) {
      err.hasCause = true;
      err.cause = serialize(causeDesc.value, memory);
    }
    return err;
  }
  if (ArrayIsArray(value)) {
    const array: Rec = { t: "array", length: value.length, props: [] };
    memory.set(value, array);
    serializeProps(value, array.props, memory);
    return array;
  }
  if (isPlatformObject(value)) {
    const type = serializableFor(value);
    if (!type) throw cloneError(`${StringPrototypeSlice(tag, 8, -1)} object`);
    return hostRecord(value, type, memory);
  }
  const object: Rec = { t: "object", props: [] };
  memory.set(value, object);
  serializeProps(value, object.props, memory);
  return object;
}

function hostRecord(value: object, type: SerializableType, memory: Map<object, Rec>): Rec {
  const rec: Rec & { t: "host" } = { t: "host", type, data: undefined };
  memory.set(value, rec);
  rec.data = type.serialize(value, (v) => serialize(v, memory));
  return rec;
}

/** Own enumerable string keys, read once up front; a key deleted by an earlier getter is skipped. */
function serializeProps(value: object, props: Props, memory: Map<object, Rec>): void {
  const names = keys(value);
  for (let i = 0; i < names.length; i++) {
    const key = names[i] as string;
    if (hasOwn(value, key))
      ArrayPrototypePush(props, [key, serialize((value as Record<string, unknown>)[key], memory)]);
  }
}
