/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializeinternal — "if value
 * has an [[ArrayBufferData]] internal slot" and the like: brand checks on built-ins through intrinsics captured before app code can replace them: an object's
 * @@toStringTag can lie, its internal slots cannot.
 */

const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;

/** Runs a brand check that throws a TypeError on the wrong kind of object. */
export function brand<T>(check: (this: unknown) => T, value: unknown): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: Reflect.apply(check, value, []) };
  } catch {
    return { ok: false };
  }
}

export function isArrayBuffer(value: object): value is ArrayBuffer {
  return brand(arrayBufferByteLength, value).ok;
}

export function isDetached(buffer: ArrayBuffer): boolean {
  if (typeof buffer.detached === "boolean") return buffer.detached;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}
