// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone — structuredClone,
 * and serialize/deserialize with transfer for it and MessagePort.postMessage. As in the spec, the whole
 * value is serialized to records before anything is transferred, so a value that fails to serialize
 * detaches nothing.
 */

import {
  ArrayBufferPrototypeTransfer,
  ArrayPrototypePush,
  copyBuffer,
  SafeMap,
  SymbolIterator,
  TypeError,
} from "../primordials.js";
import { isArrayBuffer, isDetached } from "./brand-checks.js";
import { deserialize } from "./deserialize.js";
import type { Rec } from "./records.js";
import { type TransferableType, transferableFor } from "./registry.js";
import { cloneError, serialize } from "./serialize.js";

/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializewithtransfer, then
 * StructuredDeserializeWithTransfer: the clone, and the transferred objects in transfer-list order.
 */
export function cloneWithTransfer(
  value: unknown,
  transferList: readonly object[],
): { value: unknown; transferred: object[] } {
  const memory = new SafeMap<object, Rec>();
  const types: (TransferableType | null)[] = [];
  const n = transferList.length;
  for (let index = 0; index < n; index++) {
    const transferable = transferList[index] as object;
    const type = isArrayBuffer(transferable) ? null : transferableFor(transferable);
    if (type === undefined) throw cloneError("A value in the transfer list");
    if (memory.has(transferable)) throw cloneError("A value listed twice for transfer");
    memory.set(transferable, { t: "transfer", index });
    ArrayPrototypePush(types, type);
  }
  const serialized = serialize(value, memory);
  const holders: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const transferable = transferList[i] as object;
    const type = types[i]!;
    if (type === null) {
      const buffer = transferable as ArrayBuffer;
      if (isDetached(buffer)) throw cloneError("A detached ArrayBuffer");
      // Without ArrayBuffer.prototype.transfer (V8 < 11.4) the bytes are copied and not detached.
      ArrayPrototypePush(
        holders,
        ArrayBufferPrototypeTransfer !== undefined ? ArrayBufferPrototypeTransfer(buffer) : copyBuffer(buffer),
      );
      continue;
    }
    if (type.isDetached(transferable)) throw cloneError("A detached object");
    ArrayPrototypePush(holders, type.transfer(transferable));
  }
  const transferred: object[] = [];
  for (let i = 0; i < n; i++) {
    const type = types[i]!;
    ArrayPrototypePush(transferred, type === null ? (holders[i] as ArrayBuffer) : type.receive(holders[i]));
  }
  const deserializeMemory = new SafeMap<Rec, unknown>();
  for (let i = 0; i < n; i++) deserializeMemory.set(memory.get(transferList[i] as object)!, transferred[i]);
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
  const iterator = typeof value === "object" && value !== null ? (value as Iterable<unknown>)[SymbolIterator] : null;
  if (typeof iterator !== "function") throw new TypeError(`${what} is not a sequence`);
  const list: object[] = [];
  // WebIDL sequence<object>: the app's iterable, iterated as it made it.
  for (const item of value as Iterable<unknown>) {
    if ((typeof item !== "object" && typeof item !== "function") || item === null) {
      throw new TypeError(`${what} may only hold objects`);
    }
    ArrayPrototypePush(list, item);
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
