// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializeinternal — "if value
 * has an [[ArrayBufferData]] internal slot" and the like: brand checks on built-ins through intrinsics captured before app code can replace them: an object's
 * @@toStringTag can lie, its internal slots cannot.
 */

import {
  ArrayBufferPrototypeGetByteLength,
  ArrayBufferPrototypeGetDetached,
  ReflectApply,
  Uint8Array,
} from "../primordials.js";

const arrayBufferByteLength = function (this: unknown) {
  return ArrayBufferPrototypeGetByteLength(this as ArrayBuffer);
};

/** Runs a brand check that throws a TypeError on the wrong kind of object. */
export function brand<T>(check: (this: unknown) => T, value: unknown): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: ReflectApply(check, value, []) };
  } catch {
    return { ok: false };
  }
}

export function isArrayBuffer(value: object): value is ArrayBuffer {
  return brand(arrayBufferByteLength, value).ok;
}

export function isDetached(buffer: ArrayBuffer): boolean {
  if (ArrayBufferPrototypeGetDetached !== undefined) return ArrayBufferPrototypeGetDetached(buffer);
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}
