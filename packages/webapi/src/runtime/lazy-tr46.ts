/**
 * tr46 (UTS #46, IDNA) as whatwg-url sees it (build.mjs maps `require("tr46")` here). The host parser
 * asks toASCII of every special URL's host; almost every host is plain lowercase ASCII, for which UTS #46
 * processing (with whatwg-url's non-strict options) returns the host as it is. Anything else loads the
 * real tr46 and its mapping tables (lazy.ts), once per isolate.
 */
import { loadLazy } from "./lazy.js";
import { StringPrototypeCharCodeAt, StringPrototypeStartsWith, StringPrototypeToLowerCase } from "./primordials.js";

interface Tr46Options {
  checkHyphens?: boolean;
  useSTD3ASCIIRules?: boolean;
  verifyDNSLength?: boolean;
}
interface Tr46 {
  toASCII(domain: string, options?: Tr46Options): string | null;
  toUnicode(domain: string, options?: Tr46Options): { domain: string; error: boolean };
}

const real = () => loadLazy("tr46") as Tr46;

/**
 * True when `domain` is only a-z, 0-9, "-" and "." and no label starts with "xn--": UTS #46 maps
 * each of those to itself, they are all valid, none is bidi or a joiner, and no label is punycode.
 */
function plainAscii(domain: string): boolean {
  let labelStart = 0;
  for (let i = 0; i < domain.length; i++) {
    const c = StringPrototypeCharCodeAt(domain, i);
    if (c === 0x2e) labelStart = i + 1;
    else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return false;
    else if (i === labelStart && StringPrototypeStartsWith(domain, "xn--", i)) return false;
  }
  return true;
}

export function toASCII(domain: string, options: Tr46Options = {}): string | null {
  if (!options.checkHyphens && !options.useSTD3ASCIIRules && !options.verifyDNSLength) {
    // ASCII capitals map to their lowercase; the rest of the check is the same.
    const lower = StringPrototypeToLowerCase(domain);
    if (plainAscii(lower) && asciiOnly(domain)) return lower;
  }
  return real().toASCII(domain, options);
}

/** toLowerCase maps some non-ASCII letters (the Kelvin sign) to ASCII ones: those go the long way. */
function asciiOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (StringPrototypeCharCodeAt(s, i) > 0x7f) return false;
  return true;
}

export function toUnicode(domain: string, options: Tr46Options = {}): { domain: string; error: boolean } {
  return real().toUnicode(domain, options);
}
