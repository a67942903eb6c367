/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#serializable-objects — which platform
 * objects may be serialized or transferred: the platform classes register themselves here, and any
 * other platform object fails to clone.
 */
import { DOMException, domExceptionState, isDOMException } from "../dom-exception.js";
import { ArrayPrototypePush, ObjectGetPrototypeOf, SafeSet } from "../primordials.js";
import type { Serialized } from "./records.js";

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

const platformPrototypes = new SafeSet<object>();
const serializables: SerializableType[] = [];
const transferables: TransferableType[] = [];

/** Marks instances of these classes as platform objects: not serializable unless registered as such. */
export function registerPlatformClasses(classes: Iterable<unknown>): void {
  for (const cls of classes) {
    if (typeof cls === "function" && cls.prototype) platformPrototypes.add(cls.prototype as object);
  }
}
export function registerSerializable(type: SerializableType): void {
  ArrayPrototypePush(serializables, type);
}
export function registerTransferable(type: TransferableType): void {
  ArrayPrototypePush(transferables, type);
}

const getPrototypeOf = ObjectGetPrototypeOf;

export function isPlatformObject(value: object): boolean {
  for (let p = getPrototypeOf(value); p !== null; p = getPrototypeOf(p)) {
    if (platformPrototypes.has(p)) return true;
  }
  return false;
}

/** The registered serializable type `value` is an instance of, if any. */
export function serializableFor(value: object): SerializableType | undefined {
  for (let i = 0; i < serializables.length; i++)
    if ((serializables[i] as SerializableType).is(value)) return serializables[i];
  return undefined;
}

/** The registered transferable type `value` is an instance of, if any. */
export function transferableFor(value: object): TransferableType | undefined {
  for (let i = 0; i < transferables.length; i++)
    if ((transferables[i] as TransferableType).is(value)) return transferables[i];
  return undefined;
}

/** DOMException is serializable (https://webidl.spec.whatwg.org/#idl-DOMException); serialize knows it by brand. */
export const domExceptionType: SerializableType = {
  is: (value) => isDOMException(value),
  serialize: (value) => {
    // The DOMException's own state (its getters are on DOMException.prototype, which an app can change).
    return domExceptionState(value as DOMException);
  },
  deserialize: (data) => {
    const { name, message } = data as { name: string; message: string };
    return new DOMException(message, name);
  },
};
