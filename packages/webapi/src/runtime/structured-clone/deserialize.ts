/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#structureddeserialize — records back to
 * values, built with intrinsics captured before app code can replace them.
 */
import { ERROR_TYPES, type Rec, type Serialized } from "./records.js";

const { defineProperty } = Object;
const mapSet = Map.prototype.set;
const setAdd = Set.prototype.add;
const NativeMap = Map;
const NativeSet = Set;
const NativeDate = Date;
const NativeRegExp = RegExp;
const NativeArrayBuffer = ArrayBuffer;
const NativeDataView = DataView;

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

function defineData(target: object, key: string, value: unknown): void {
  defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** StructuredDeserialize; `memory` maps each record already read (and each transfer record) to its value. */
export function deserialize(serialized: Serialized, memory: Map<Rec, unknown>): unknown {
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
