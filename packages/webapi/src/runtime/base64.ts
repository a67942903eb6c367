// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#atob — btoa/atob over "binary strings" (one
 * char per byte), decoding with https://infra.spec.whatwg.org/#forgiving-base64-decode.
 */
import { DOMException } from "./dom-exception.js";
import {
  ArrayPrototypePush,
  MathFloor,
  MathMin,
  ReflectApply,
  regExpReplaceAll,
  regExpTest,
  StringFromCharCode,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  subBytes,
  TypeError,
  Uint8Array,
} from "./primordials.js";
import { toDOMString } from "./webidl.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const CHUNK = 0x2000;
const DECODE = new Uint8Array(128);
/** The alphabet's char codes, by index. */
const ENCODE = new Uint8Array(64);
for (let i = 0; i < ALPHABET.length; i++) {
  DECODE[ALPHABET.charCodeAt(i)] = i;
  ENCODE[i] = ALPHABET.charCodeAt(i);
}
const ASCII_WHITESPACE = /[\t\n\f\r ]+/g;
const NOT_BASE64 = /[^A-Za-z0-9+/]/;

/** String.fromCharCode over the codes in `codes` (an array or a typed array; no spread, no iterator). */
const fromCharCodes = (codes: ArrayLike<number>): string => ReflectApply(StringFromCharCode, undefined, codes as never);

function requireArg(given: number, name: string): void {
  if (given < 1) throw new TypeError(`${name}: 1 argument required, but only 0 present`);
}

/** Joins char codes into a string without one huge argument list. */
function fromBytes(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += CHUNK)
    out += fromCharCodes(subBytes(bytes, i, MathMin(i + CHUNK, bytes.length)));
  return out;
}

export function btoa(data: string): string {
  // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
  requireArg(arguments.length, "btoa");
  const s = toDOMString(data);
  const n = s.length;
  const out: number[] = [];
  let result = "";
  for (let i = 0; i < n; i += 3) {
    const a = StringPrototypeCharCodeAt(s, i);
    const b = i + 1 < n ? StringPrototypeCharCodeAt(s, i + 1) : 0;
    const c = i + 2 < n ? StringPrototypeCharCodeAt(s, i + 2) : 0;
    if (a > 0xff || b > 0xff || c > 0xff) {
      throw new DOMException(
        "btoa: the string contains characters outside of the Latin1 range",
        "InvalidCharacterError",
      );
    }
    const bits = (a << 16) | (b << 8) | c;
    ArrayPrototypePush(
      out,
      ENCODE[bits >> 18] as number,
      ENCODE[(bits >> 12) & 63] as number,
      i + 1 < n ? (ENCODE[(bits >> 6) & 63] as number) : 0x3d,
      i + 2 < n ? (ENCODE[bits & 63] as number) : 0x3d,
    );
    if (out.length >= CHUNK) {
      result += fromCharCodes(out);
      out.length = 0;
    }
  }
  return result + fromCharCodes(out);
}

export function atob(data: string): string {
  // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
  requireArg(arguments.length, "atob");
  // Forgiving-base64 decode: strip ASCII whitespace, then at most two "=" that complete a quantum.
  let s = regExpReplaceAll(ASCII_WHITESPACE, toDOMString(data), () => "");
  if (s.length % 4 === 0) {
    // At most two "=" at the end go.
    let end = s.length;
    if (end > 0 && s[end - 1] === "=") end--;
    if (end > 0 && s[end - 1] === "=") end--;
    s = StringPrototypeSlice(s, 0, end);
  }
  if (s.length % 4 === 1 || regExpTest(NOT_BASE64, s)) {
    throw new DOMException("atob: the string to be decoded is not correctly encoded", "InvalidCharacterError");
  }
  const bytes = new Uint8Array(MathFloor((s.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    buffer = ((buffer << 6) | DECODE[StringPrototypeCharCodeAt(s, i)]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits (12 or 18 of a partial quantum) are discarded, per the algorithm.
  return fromBytes(subBytes(bytes, 0, j));
}
