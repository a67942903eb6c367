/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#atob — btoa/atob over "binary strings" (one
 * char per byte), decoding with https://infra.spec.whatwg.org/#forgiving-base64-decode.
 */
import { DOMException } from "./dom-exception.js";
import { toDOMString } from "./webidl.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const CHUNK = 0x2000;
const DECODE = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function requireArg(given: number, name: string): void {
  if (given < 1) throw new TypeError(`${name}: 1 argument required, but only 0 present`);
}

/** Joins char codes into a string without one huge argument list. */
function fromBytes(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += CHUNK) out += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
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
    const a = s.charCodeAt(i);
    const b = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    const c = i + 2 < n ? s.charCodeAt(i + 2) : 0;
    if (a > 0xff || b > 0xff || c > 0xff) {
      throw new DOMException(
        "btoa: the string contains characters outside of the Latin1 range",
        "InvalidCharacterError",
      );
    }
    const bits = (a << 16) | (b << 8) | c;
    out.push(
      ALPHABET.charCodeAt(bits >> 18),
      ALPHABET.charCodeAt((bits >> 12) & 63),
      i + 1 < n ? ALPHABET.charCodeAt((bits >> 6) & 63) : 0x3d,
      i + 2 < n ? ALPHABET.charCodeAt(bits & 63) : 0x3d,
    );
    if (out.length >= CHUNK) {
      result += String.fromCharCode(...out);
      out.length = 0;
    }
  }
  return result + String.fromCharCode(...out);
}

export function atob(data: string): string {
  // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
  requireArg(arguments.length, "atob");
  // Forgiving-base64 decode: strip ASCII whitespace, then at most two "=" that complete a quantum.
  let s = toDOMString(data).replace(/[\t\n\f\r ]+/g, "");
  if (s.length % 4 === 0) s = s.replace(/==?$/, "");
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) {
    throw new DOMException("atob: the string to be decoded is not correctly encoded", "InvalidCharacterError");
  }
  const bytes = new Uint8Array(Math.floor((s.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    buffer = ((buffer << 6) | DECODE[s.charCodeAt(i)]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[j++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits (12 or 18 of a partial quantum) are discarded, per the algorithm.
  return fromBytes(bytes.subarray(0, j));
}
