// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#structureddeserialize — records back to
 * values, built with intrinsics captured before app code can replace them.
 */
import {
  ObjectDefineProperty as defineProperty,
  globalObject,
  MapPrototypeSet,
  Array as NativeArray,
  ArrayBuffer as NativeArrayBuffer,
  DataView as NativeDataView,
  Date as NativeDate,
  Map as NativeMap,
  RegExp as NativeRegExp,
  Set as NativeSet,
  nullProto,
  Object as ObjectCtor,
  SetPrototypeAdd,
  TypedArrayPrototypeSet,
  Uint8Array,
} from "../primordials.js";
import { ERROR_TYPES, type Rec, type Serialized } from "./records.js";

/** One descriptor, filled in before each use (no Object.prototype property can reach it). */
const DATA: PropertyDescriptor = nullProto({ value: undefined, writable: true, enumerable: true, configurable: true });
const HIDDEN: PropertyDescriptor = nullProto({
  value: undefined,
  writable: true,
  enumerable: false,
  configurable: true,
});

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
  const ctor = (globalObject as unknown as Record<string, unknown>)[name];
  if (typeof ctor === "function") VIEW_TYPES[name] = ctor as TypedArrayConstructor;
}
VIEW_TYPES.DataView = NativeDataView as unknown as TypedArrayConstructor;

function defineData(target: object, key: string, value: unknown): void {
  DATA.value = value;
  defineProperty(target, key, DATA);
  DATA.value = undefined;
}

function defineHidden(target: object, key: string, value: unknown): void {
  HIDDEN.value = value;
  defineProperty(target, key, HIDDEN);
  HIDDEN.value = undefined;
}

/** StructuredDeserialize; `memory` maps each record already read (and each transfer record) to its value. */
export function deserialize(serialized: Serialized, memory: Map<Rec, unknown>): unknown {
  if (typeof serialized !== "object" || serialized === null) return serialized;
  if (memory.has(serialized)) return memory.get(serialized);
  const rec = serialized;
  let value: unknown;
  switch (rec.t) {
    case "boxed":
      value = ObjectCtor(rec.value);
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
        TypedArrayPrototypeSet(new Uint8Array(buffer), new Uint8Array(rec.bytes));
        value = buffer;
      }
      break;
    case "view": {
      const buffer = deserialize(rec.buffer, memory) as ArrayBuffer;
      value = new VIEW_TYPES[rec.kind]!(buffer, rec.byteOffset, rec.length);
      break;
    }
    case "map": {
      const map = new NativeMap();
      memory.set(rec, map);
      for (let i = 0; i < rec.entries.length; i += 2) {
        MapPrototypeSet(map, deserialize(rec.entries[i], memory), deserialize(rec.entries[i + 1], memory));
      }
      return map;
    }
    case "set": {
      const set = new NativeSet();
      memory.set(rec, set);
      for (let i = 0; i < rec.values.length; i++) SetPrototypeAdd(set, deserialize(rec.values[i], memory));
      return set;
    }
    case "error": {
      const error = new ERROR_TYPES[rec.name]!();
      memory.set(rec, error);
      if (rec.message !== undefined) defineHidden(error, "message", rec.message);
      if (rec.stack !== undefined) defineHidden(error, "stack", rec.stack);
      if (rec.hasCause) defineHidden(error, "cause", deserialize(rec.cause, memory));
      return error;
    }
    case "array": {
      const array = new NativeArray(rec.length);
      memory.set(rec, array);
      for (let i = 0; i < rec.props.length; i++) {
        const prop = rec.props[i] as [string, Serialized];
        defineData(array, prop[0], deserialize(prop[1], memory));
      }
      return array;
    }
    case "object": {
      const object = {};
      memory.set(rec, object);
      for (let i = 0; i < rec.props.length; i++) {
        const prop = rec.props[i] as [string, Serialized];
        defineData(object, prop[0], deserialize(prop[1], memory));
      }
      return object;
    }
    case "host":
      value = rec.type.deserialize(rec.data, (v: Serialized) => deserialize(v, memory));
      break;
    case "transfer":
      throw new Error("unreachable: transferred values are in memory");
  }
  memory.set(rec, value);
  return value;
}
