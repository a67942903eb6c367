// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * UTF-8 for the runtime's own use (bodies, blobs, forms): https://encoding.spec.whatwg.org/#utf-8-encode
 * and https://encoding.spec.whatwg.org/#utf-8-decode (with replacement, BOM removed), written with
 * primordials only. The TextEncoder/TextDecoder an app sees come from @exodus/bytes, which calls
 * `String.prototype.charCodeAt`, `Array.prototype.fill` and the like at call time; the body of a
 * request or response must not depend on what the app did to those.
 */
import {
  MathMin,
  ReflectApply,
  StringFromCharCode,
  StringPrototypeCharCodeAt,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
  Uint8Array,
  Uint16Array,
} from "./primordials.js";

/** Code units per String.fromCharCode call (well below any engine's argument limit). */
const CHUNK = 8192;

/** https://encoding.spec.whatwg.org/#utf-8-encode — lone surrogates become U+FFFD (as TextEncoder). */
export function utf8Encode(input: string): Uint8Array<ArrayBuffer> {
  const n = input.length;
  // First pass: the exact length, so the bytes need no second copy.
  let size = 0;
  for (let i = 0; i < n; i++) {
    const c = StringPrototypeCharCodeAt(input, i);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = StringPrototypeCharCodeAt(input, i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        size += 4;
        i++;
      } else size += 3;
    } else size += 3;
  }
  const out = new Uint8Array(size);
  if (size === n) {
    for (let i = 0; i < n; i++) out[i] = StringPrototypeCharCodeAt(input, i);
    return out;
  }
  let p = 0;
  for (let i = 0; i < n; i++) {
    let c = StringPrototypeCharCodeAt(input, i);
    if (c < 0x80) {
      out[p++] = c;
      continue;
    }
    if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < n ? StringPrototypeCharCodeAt(input, i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[p++] = 0xf0 | (cp >> 18);
        out[p++] = 0x80 | ((cp >> 12) & 0x3f);
        out[p++] = 0x80 | ((cp >> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      c = 0xfffd;
    }
    out[p++] = 0xe0 | (c >> 12);
    out[p++] = 0x80 | ((c >> 6) & 0x3f);
    out[p++] = 0x80 | (c & 0x3f);
  }
  return out;
}

/** The first `n` UTF-16 code units in `buffer` as a string. */
function codeUnits(buffer: ArrayBuffer, n: number): string {
  return ReflectApply(StringFromCharCode, undefined, new Uint16Array(buffer, 0, n) as never);
}

/** Bytes `start`..`end` of `bytes`, all below 0x80, as a string. */
function ascii(bytes: Uint8Array, start: number, end: number): string {
  const buffer = TypedArrayPrototypeGetBuffer(bytes);
  const offset = TypedArrayPrototypeGetByteOffset(bytes);
  let out = "";
  for (let i = start; i < end; i += CHUNK) {
    const stop = MathMin(i + CHUNK, end);
    out += ReflectApply(StringFromCharCode, undefined, new Uint8Array(buffer, offset + i, stop - i) as never);
  }
  return out;
}

/**
 * https://encoding.spec.whatwg.org/#utf-8-decode — a leading BOM is removed and each ill-formed
 * subsequence becomes U+FFFD, exactly as `new TextDecoder().decode(bytes)` does. With `keepBOM`,
 * https://encoding.spec.whatwg.org/#utf-8-decode-without-bom (TextDecoder's `ignoreBOM: true`).
 */
export function utf8Decode(bytes: Uint8Array, keepBOM = false): string {
  const length = TypedArrayPrototypeGetByteLength(bytes);
  let i = !keepBOM && length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // ASCII prefix (most bodies are all ASCII): one fromCharCode per chunk.
  const asciiStart = i;
  while (i < length && (bytes[i] as number) < 0x80) i++;
  const prefix = ascii(bytes, asciiStart, i);
  if (i === length) return prefix;

  const units = new Uint16Array(CHUNK + 2);
  const unitsBuffer = TypedArrayPrototypeGetBuffer(units);
  let n = 0;
  let out = prefix;
  let needed = 0;
  let seen = 0;
  let codePoint = 0;
  let lower = 0x80;
  let upper = 0xbf;
  while (i < length) {
    if (n >= CHUNK) {
      out += codeUnits(unitsBuffer, n);
      n = 0;
    }
    const byte = bytes[i] as number;
    if (needed === 0) {
      i++;
      if (byte < 0x80) units[n++] = byte;
      else if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
        codePoint = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        else if (byte === 0xed) upper = 0x9f;
        needed = 2;
        codePoint = byte & 0x0f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        else if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        codePoint = byte & 0x07;
      } else units[n++] = 0xfffd;
      continue;
    }
    if (byte < lower || byte > upper) {
      // The byte is not consumed: it starts over after the U+FFFD.
      needed = 0;
      seen = 0;
      codePoint = 0;
      lower = 0x80;
      upper = 0xbf;
      units[n++] = 0xfffd;
      continue;
    }
    i++;
    lower = 0x80;
    upper = 0xbf;
    codePoint = (codePoint << 6) | (byte & 0x3f);
    if (++seen !== needed) continue;
    if (codePoint > 0xffff) {
      const u = codePoint - 0x10000;
      units[n++] = 0xd800 | (u >> 10);
      units[n++] = 0xdc00 | (u & 0x3ff);
    } else units[n++] = codePoint;
    needed = 0;
    seen = 0;
    codePoint = 0;
  }
  if (needed !== 0) units[n++] = 0xfffd;
  return out + codeUnits(unitsBuffer, n);
}
