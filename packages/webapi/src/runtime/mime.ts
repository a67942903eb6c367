/**
 * https://mimesniff.spec.whatwg.org/#understanding-mime-types — parsing and serializing MIME types, and
 * the Fetch Standard's https://fetch.spec.whatwg.org/#concept-header-extract-mime-type over a
 * Content-Type header. Bodies use it for `blob()`'s type and `formData()`'s format and boundary.
 */

import {
  ArrayPrototypePush,
  regExpReplaceAll,
  regExpTest,
  SafeMap,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
} from "./primordials.js";

export interface MimeType {
  type: string;
  subtype: string;
  /** Lower-cased names, in order, first occurrence wins. */
  parameters: SafeMap<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUOTED_STRING_TOKEN = /^[\t\x20-\x7e\x80-\xff]*$/;
const QUOTE_OR_BACKSLASH = /["\\]/g;
const isHttpWs = (c: number) => c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20;

/** `s` without leading (unless `endOnly`) and trailing HTTP whitespace. */
function trimHttpWs(s: string, endOnly = false): string {
  let start = 0;
  let end = s.length;
  if (!endOnly) while (start < end && isHttpWs(StringPrototypeCharCodeAt(s, start))) start++;
  while (end > start && isHttpWs(StringPrototypeCharCodeAt(s, end - 1))) end--;
  return StringPrototypeSlice(s, start, end);
}

/**
 * https://fetch.spec.whatwg.org/#collect-an-http-quoted-string with extract-value set; `pos` is at the
 * opening quote. Returns the value and the position after it.
 */
function collectQuoted(input: string, start: number): [string, number] {
  let pos = start + 1;
  let value = "";
  for (;;) {
    while (pos < input.length && input[pos] !== '"' && input[pos] !== "\\") value += input[pos++];
    if (pos >= input.length) break;
    const quoteOrBackslash = input[pos++];
    if (quoteOrBackslash === "\\") {
      if (pos >= input.length) {
        value += "\\";
        break;
      }
      value += input[pos++];
    } else {
      break;
    }
  }
  return [value, pos];
}

/** https://mimesniff.spec.whatwg.org/#parse-a-mime-type — null on failure. */
export function parseMimeType(input: string): MimeType | null {
  const s = trimHttpWs(input);
  const slash = StringPrototypeIndexOf(s, "/");
  if (slash < 0) return null;
  const type = StringPrototypeSlice(s, 0, slash);
  if (!regExpTest(TOKEN, type)) return null;
  let pos = slash + 1;
  let semi = StringPrototypeIndexOf(s, ";", pos);
  if (semi < 0) semi = s.length;
  const subtype = trimHttpWs(StringPrototypeSlice(s, pos, semi), true);
  if (!regExpTest(TOKEN, subtype)) return null;
  pos = semi;
  const mime: MimeType = {
    type: StringPrototypeToLowerCase(type),
    subtype: StringPrototypeToLowerCase(subtype),
    parameters: new SafeMap(),
  };
  while (pos < s.length) {
    pos++; // the ";"
    while (pos < s.length && isHttpWs(StringPrototypeCharCodeAt(s, pos))) pos++;
    let nameEnd = pos;
    while (nameEnd < s.length && s[nameEnd] !== ";" && s[nameEnd] !== "=") nameEnd++;
    const name = StringPrototypeToLowerCase(StringPrototypeSlice(s, pos, nameEnd));
    pos = nameEnd;
    if (pos < s.length) {
      if (s[pos] === ";") continue;
      pos++; // the "="
    }
    if (pos >= s.length) break;
    let value: string;
    if (s[pos] === '"') {
      const quoted = collectQuoted(s, pos);
      value = quoted[0];
      pos = quoted[1];
      while (pos < s.length && s[pos] !== ";") pos++;
    } else {
      let end = StringPrototypeIndexOf(s, ";", pos);
      if (end < 0) end = s.length;
      value = trimHttpWs(StringPrototypeSlice(s, pos, end), true);
      pos = end;
      if (value === "") continue;
    }
    if (
      name !== "" &&
      regExpTest(TOKEN, name) &&
      regExpTest(QUOTED_STRING_TOKEN, value) &&
      !mime.parameters.has(name)
    ) {
      mime.parameters.set(name, value);
    }
  }
  return mime;
}

export const essence = (m: MimeType) => `${m.type}/${m.subtype}`;

/** https://mimesniff.spec.whatwg.org/#serialize-a-mime-type */
export function serializeMimeType(m: MimeType): string {
  let out = essence(m);
  m.parameters.forEach((value, name) => {
    const v =
      value !== "" && regExpTest(TOKEN, value)
        ? value
        : `"${regExpReplaceAll(QUOTE_OR_BACKSLASH, value, (c) => `\\${c}`)}"`;
    out += `;${name}=${v}`;
  });
  return out;
}

/** https://fetch.spec.whatwg.org/#header-value-get-decode-and-split — commas outside quoted strings. */
function splitHeaderValue(value: string): string[] {
  const values: string[] = [];
  let pos = 0;
  let current = "";
  while (pos <= value.length) {
    while (pos < value.length && value[pos] !== '"' && value[pos] !== ",") current += value[pos++];
    if (pos < value.length && value[pos] === '"') {
      const start = pos;
      pos = collectQuoted(value, pos)[1];
      current += StringPrototypeSlice(value, start, pos);
      continue;
    }
    ArrayPrototypePush(values, trimHttpWs(current));
    current = "";
    pos++;
  }
  return values;
}

/** https://fetch.spec.whatwg.org/#concept-header-extract-mime-type over a combined Content-Type value. */
export function extractMimeType(contentType: string | null): MimeType | null {
  if (contentType === null) return null;
  let charset: string | null = null;
  let currentEssence: string | null = null;
  let mime: MimeType | null = null;
  const values = splitHeaderValue(contentType);
  for (let i = 0; i < values.length; i++) {
    const temp = parseMimeType(values[i] as string);
    if (temp === null || essence(temp) === "*/*") continue;
    mime = temp;
    if (essence(mime) !== currentEssence) {
      charset = mime.parameters.get("charset") ?? null;
      currentEssence = essence(mime);
    } else if (!mime.parameters.has("charset") && charset !== null) {
      mime.parameters.set("charset", charset);
    }
  }
  return mime;
}
