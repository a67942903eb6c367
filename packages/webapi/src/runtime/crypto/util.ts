// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://w3c.github.io/webcrypto/ and https://webidl.spec.whatwg.org/ — what the crypto classes share:
 * DOMExceptions, BufferSource handling, the host call and interface-object conventions.
 * Safe in the snapshot: only intrinsics are read at load time.
 */
import { type BridgeFunctions, CRYPTO_ERROR_SEPARATOR, type CryptoOp } from "../../bridge-contract.js";
import { DOMException } from "../dom-exception.js";
import {
  ArrayBuffer as ArrayBufferCtor,
  ArrayBufferIsView,
  ArrayBufferPrototypeGetByteLength,
  copyBuffer,
  DataViewPrototypeGetBuffer,
  DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset,
  Error as ErrorCtor,
  isArrayBuffer,
  isInstanceOf,
  ReflectApply,
  String as StringCtor,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypeError,
  uncurryThis,
} from "../primordials.js";

export type HostCrypto = BridgeFunctions["crypto"];

/** A DOMException (the runtime's class, not whatever the global `DOMException` is by now). */
export function domException(message: string, name: string): Error {
  return new DOMException(message, name);
}

/** Calls the host, turning its `Name<US>message` errors into the DOMException (or TypeError) they name. */
export function callHost(
  host: HostCrypto,
  op: CryptoOp,
  params: string,
  data: readonly ArrayBuffer[] = [],
): ArrayBuffer | string | boolean | undefined {
  let text: string;
  try {
    // Not `host(op, params, ...data)`: spreading an array calls its (replaceable) iterator.
    const args: unknown[] = [op, params];
    for (let i = 0; i < data.length; i++) args[i + 2] = data[i];
    return ReflectApply(host, undefined, args) as ArrayBuffer | string | boolean | undefined;
  } catch (err) {
    text = isInstanceOf(err, ErrorCtor) ? StringCtor((err as Error).message) : StringCtor(err);
  }
  const at = StringPrototypeIndexOf(text, CRYPTO_ERROR_SEPARATOR);
  if (at < 0) throw domException(text, "OperationError");
  const name = StringPrototypeSlice(text, 0, at);
  const message = StringPrototypeSlice(text, at + 1);
  throw name === "TypeError" ? new TypeError(message) : domException(message, name);
}

// Intrinsic accessors (primordials), so a view's own (or subclassed) `buffer` getters cannot lie about its bytes.
const resizableGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable")?.get;
const abResizable = resizableGetter ? uncurryThis(resizableGetter as (this: ArrayBuffer) => boolean) : undefined;

/** The TypedArray's name ("Uint8Array", ...), or undefined for anything else (a DataView included). */
export function typedArrayName(value: unknown): string | undefined {
  return TypedArrayPrototypeGetSymbolToStringTag(value);
}

/**
 * [buffer, offset, length] of a BufferSource, or a TypeError naming `what`. No try/catch on the hot
 * path (a caught TypeError costs a stack capture); an object that only pretends to be an ArrayBuffer
 * makes the intrinsic byteLength getter throw its own TypeError.
 */
export function bufferSourceParts(value: unknown, what: string): [ArrayBuffer, number, number] {
  let parts: [unknown, number, number] | undefined;
  if (ArrayBufferIsView(value)) {
    parts =
      typedArrayName(value) !== undefined
        ? [
            TypedArrayPrototypeGetBuffer(value),
            TypedArrayPrototypeGetByteOffset(value),
            TypedArrayPrototypeGetByteLength(value),
          ]
        : [
            DataViewPrototypeGetBuffer(value as DataView),
            DataViewPrototypeGetByteOffset(value as DataView),
            DataViewPrototypeGetByteLength(value as DataView),
          ];
  } else if (isInstanceOf(value, ArrayBufferCtor)) {
    // By the prototype chain first (cheap), then by the internal slot (the getter throws on a fake).
    parts = [value, 0, ArrayBufferPrototypeGetByteLength(value as ArrayBuffer)];
  }
  // SharedArrayBuffer (not an ArrayBuffer) and resizable buffers are not BufferSources.
  if (!parts || !isArrayBuffer(parts[0]) || abResizable?.(parts[0]) === true)
    throw new TypeError(`${what} is not a BufferSource`);
  return parts as [ArrayBuffer, number, number];
}

/** A copy of a BufferSource's bytes (https://webidl.spec.whatwg.org/#dfn-get-buffer-source-copy). */
export function bufferSourceCopy(value: unknown, what: string): ArrayBuffer {
  const parts = bufferSourceParts(value, what);
  return copyBuffer(parts[0], parts[1], parts[1] + parts[2]);
}

/**
 * The bytes to hand the host: the buffer itself when the view covers it all (the Callback copies its
 * arguments, so the spec's copy is made there), else a copy of just the viewed bytes — a view crosses
 * with its whole underlying buffer.
 */
export function bufferSourceForHost(value: unknown, what: string): ArrayBuffer {
  const parts = bufferSourceParts(value, what);
  const buffer = parts[0];
  const offset = parts[1];
  const length = parts[2];
  return offset === 0 && length === ArrayBufferPrototypeGetByteLength(buffer)
    ? buffer
    : copyBuffer(buffer, offset, offset + length);
}

/** https://webidl.spec.whatwg.org/#js-DOMString */
export function toDOMString(value: unknown): string {
  if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol to a string");
  return StringCtor(value);
}

export function requireArgs(given: number, needed: number, method: string): void {
  if (given < needed)
    throw new TypeError(`${method} requires ${needed} argument${needed > 1 ? "s" : ""}, but only ${given} present`);
}

/** Instances are made only through a module-private token: WebIDL interfaces without a constructor. */
export function illegalConstructor(): never {
  throw new TypeError("Illegal constructor");
}

/**
 * https://webidl.spec.whatwg.org/#es-interfaces — the prototype's accessors and methods enumerable,
 * `@@toStringTag` the interface name.
 */
export function webidlInterface(cls: abstract new (...args: never[]) => unknown, name: string): void {
  const proto = cls.prototype as object;
  for (const key of Reflect.ownKeys(proto)) {
    if (key === "constructor" || typeof key === "symbol") continue;
    Object.defineProperty(proto, key, { enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
}
