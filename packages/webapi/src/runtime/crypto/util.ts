/**
 * https://w3c.github.io/webcrypto/ and https://webidl.spec.whatwg.org/ — what the crypto classes share:
 * DOMExceptions, BufferSource handling, the host call and interface-object conventions.
 * Safe in the snapshot: only intrinsics are read at load time.
 */
import { type BridgeFunctions, CRYPTO_ERROR_SEPARATOR, type CryptoOp } from "../../bridge-contract.js";

export type HostCrypto = BridgeFunctions["crypto"];

/** Stand-in while the runtime has no DOMException of its own; `name` is what callers check. */
class FallbackDOMException extends Error {
  constructor(message = "", name = "Error") {
    super(message);
    Object.defineProperty(this, "name", { value: name, configurable: true, writable: true });
  }
}

type DOMExceptionCtor = new (message: string, name: string) => Error;

/** Looked up at call time: the global DOMException is installed after this module loads. */
export function domException(message: string, name: string): Error {
  const Ctor = (globalThis as { DOMException?: DOMExceptionCtor }).DOMException ?? FallbackDOMException;
  return new Ctor(message, name);
}

/** Calls the host, turning its `Name<US>message` errors into the DOMException (or TypeError) they name. */
export function callHost(
  host: HostCrypto,
  op: CryptoOp,
  params: string,
  ...data: ArrayBuffer[]
): ArrayBuffer | string | boolean | undefined {
  try {
    return host(op, params, ...data);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const at = text.indexOf(CRYPTO_ERROR_SEPARATOR);
    if (at < 0) throw domException(text, "OperationError");
    const name = text.slice(0, at);
    const message = text.slice(at + 1);
    throw name === "TypeError" ? new TypeError(message) : domException(message, name);
  }
}

// Intrinsic accessors, so a view's own (or subclassed) `buffer` getters cannot lie about its bytes.
const getter = (o: object, k: PropertyKey) => Object.getOwnPropertyDescriptor(o, k)?.get as (this: unknown) => unknown;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const abByteLength = getter(ArrayBuffer.prototype, "byteLength");
const abResizable = getter(ArrayBuffer.prototype, "resizable") as ((this: unknown) => unknown) | undefined;
const taBuffer = getter(TypedArrayPrototype, "buffer");
const taOffset = getter(TypedArrayPrototype, "byteOffset");
const taLength = getter(TypedArrayPrototype, "byteLength");
const taTag = getter(TypedArrayPrototype, Symbol.toStringTag);
const dvBuffer = getter(DataView.prototype, "buffer");
const dvOffset = getter(DataView.prototype, "byteOffset");
const dvLength = getter(DataView.prototype, "byteLength");

/** The TypedArray's name ("Uint8Array", ...), or undefined for anything else (a DataView included). */
export function typedArrayName(value: unknown): string | undefined {
  return taTag.call(value) as string | undefined;
}

/**
 * [buffer, offset, length] of a BufferSource, or a TypeError naming `what`. No try/catch on the hot
 * path (a caught TypeError costs a stack capture); an object that only pretends to be an ArrayBuffer
 * makes the intrinsic byteLength getter throw its own TypeError.
 */
export function bufferSourceParts(value: unknown, what: string): [ArrayBuffer, number, number] {
  let parts: [unknown, number, number] | undefined;
  if (ArrayBuffer.isView(value)) {
    parts =
      typedArrayName(value) !== undefined
        ? [taBuffer.call(value), taOffset.call(value) as number, taLength.call(value) as number]
        : [dvBuffer.call(value), dvOffset.call(value) as number, dvLength.call(value) as number];
  } else if (value instanceof ArrayBuffer) parts = [value, 0, abByteLength.call(value) as number];
  // SharedArrayBuffer (not an ArrayBuffer) and resizable buffers are not BufferSources.
  if (!parts || !(parts[0] instanceof ArrayBuffer) || abResizable?.call(parts[0]) === true)
    throw new TypeError(`${what} is not a BufferSource`);
  return parts as [ArrayBuffer, number, number];
}

/** A copy of a BufferSource's bytes (https://webidl.spec.whatwg.org/#dfn-get-buffer-source-copy). */
export function bufferSourceCopy(value: unknown, what: string): ArrayBuffer {
  const [buffer, offset, length] = bufferSourceParts(value, what);
  return buffer.slice(offset, offset + length);
}

/**
 * The bytes to hand the host: the buffer itself when the view covers it all (the Callback copies its
 * arguments, so the spec's copy is made there), else a copy of just the viewed bytes — a view crosses
 * with its whole underlying buffer.
 */
export function bufferSourceForHost(value: unknown, what: string): ArrayBuffer {
  const [buffer, offset, length] = bufferSourceParts(value, what);
  return offset === 0 && length === (abByteLength.call(buffer) as number)
    ? buffer
    : buffer.slice(offset, offset + length);
}

/** https://webidl.spec.whatwg.org/#js-DOMString */
export function toDOMString(value: unknown): string {
  if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol to a string");
  return String(value);
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
