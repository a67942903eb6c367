/**
 * https://webidl.spec.whatwg.org/#js-type-mapping — the few argument conversions the Blob, FormData,
 * body and stream classes share, with the TypeErrors WebIDL prescribes.
 */

/** https://webidl.spec.whatwg.org/#js-DOMString — ToString, which (unlike `String()`) refuses symbols. */
export function toDOMString(value: unknown): string {
  if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol to a string");
  return String(value);
}

/** https://webidl.spec.whatwg.org/#js-USVString — lone surrogates become U+FFFD. */
export function toUSVString(value: unknown): string {
  return (toDOMString(value) as string & { toWellFormed(): string }).toWellFormed();
}

/** https://webidl.spec.whatwg.org/#BufferSource — a Uint8Array view of the same memory (no copy). */
export function bufferSourceBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${what} must be an ArrayBuffer or an ArrayBufferView`);
}
