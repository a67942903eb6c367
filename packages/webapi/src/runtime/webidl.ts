// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://webidl.spec.whatwg.org/#js-type-mapping — the few argument conversions the Blob, FormData,
 * body and stream classes share, with the TypeErrors WebIDL prescribes.
 */

import {
  ArrayBufferIsView,
  isArrayBuffer,
  String as StringCtor,
  StringPrototypeToWellFormed,
  TypeError,
  Uint8Array,
  viewBytes,
} from "./primordials.js";

/** https://webidl.spec.whatwg.org/#js-DOMString — ToString, which (unlike `String()`) refuses symbols. */
export function toDOMString(value: unknown): string {
  if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol to a string");
  return StringCtor(value);
}

/** https://webidl.spec.whatwg.org/#js-USVString — lone surrogates become U+FFFD. */
export function toUSVString(value: unknown): string {
  return StringPrototypeToWellFormed(toDOMString(value));
}

/** https://webidl.spec.whatwg.org/#BufferSource — a Uint8Array view of the same memory (no copy). */
export function bufferSourceBytes(value: unknown, what: string): Uint8Array {
  if (ArrayBufferIsView(value)) return viewBytes(value);
  if (isArrayBuffer(value)) return new Uint8Array(value);
  throw new TypeError(`${what} must be an ArrayBuffer or an ArrayBufferView`);
}
