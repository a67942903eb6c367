// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * The in-isolate half of the header block (see ../bridge-contract.ts): "name\nvalue\nname\nvalue…".
 * bridge-contract's encodeHeaderBlock/decodeHeaderBlock call `Array.prototype.join` and
 * `String.prototype.split`, which an app can replace; these use primordials only.
 *
 * Encoding is where headers cross to the host, which trusts them (the ingress drops hop-by-hop and
 * framing headers by their lower-case names): every name is checked to be a lower-case token and
 * every value to be free of NUL, CR and LF again here, whatever happened to the lists on the way.
 */
import { StringPrototypeCharCodeAt, StringPrototypeIndexOf, StringPrototypeSlice, TypeError } from "./primordials.js";

/** 1 for the characters of a lower-case token (https://httpwg.org/specs/rfc9110.html#tokens). */
const LOWER_TOKEN = new Uint8Array(128);
{
  const chars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz";
  for (let i = 0; i < chars.length; i++) LOWER_TOKEN[chars.charCodeAt(i)] = 1;
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("a header name is not a string");
  for (let i = 0; i < name.length; i++) {
    const c = StringPrototypeCharCodeAt(name, i);
    if (c >= 128 || LOWER_TOKEN[c] !== 1) throw new TypeError(`header name "${name}" is not a lower-case token`);
  }
  return name;
}

function checkValue(value: unknown): string {
  if (typeof value !== "string") throw new TypeError("a header value is not a string");
  for (let i = 0; i < value.length; i++) {
    const c = StringPrototypeCharCodeAt(value, i);
    if (c === 0 || c === 10 || c === 13) throw new TypeError("a header value contains NUL, CR or LF");
  }
  return value;
}

/** [name, value, name, value, …] as one block, each pair checked (a TypeError if one is not valid). */
export function encodeHeaderBlock(flat: readonly string[]): string {
  const n = flat.length;
  if (n % 2 !== 0) throw new TypeError("a header list has a name without a value");
  let out = "";
  for (let i = 0; i < n; i += 2) {
    const pair = `${checkName(flat[i])}\n${checkValue(flat[i + 1])}`;
    out = i === 0 ? pair : `${out}\n${pair}`;
  }
  return out;
}

/** The host's block back to [name, value, …]. */
export function decodeHeaderBlock(block: string): string[] {
  const out: string[] = [];
  if (block === "") return out;
  let start = 0;
  let n = 0;
  for (;;) {
    const at = StringPrototypeIndexOf(block, "\n", start);
    out[n++] = at < 0 ? StringPrototypeSlice(block, start) : StringPrototypeSlice(block, start, at);
    if (at < 0) return out;
    start = at + 1;
  }
}
