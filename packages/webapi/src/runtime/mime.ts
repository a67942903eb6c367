/**
 * https://mimesniff.spec.whatwg.org/#understanding-mime-types — parsing and serializing MIME types, and
 * the Fetch Standard's https://fetch.spec.whatwg.org/#concept-header-extract-mime-type over a
 * Content-Type header. Bodies use it for `blob()`'s type and `formData()`'s format and boundary.
 */

export interface MimeType {
  type: string;
  subtype: string;
  /** Lower-cased names, in order, first occurrence wins. */
  parameters: Map<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUOTED_STRING_TOKEN = /^[\t\x20-\x7e\x80-\xff]*$/;
const HTTP_WS = /[\t\n\r ]/;
const trimHttpWs = (s: string) => s.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");

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
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const type = s.slice(0, slash);
  if (!TOKEN.test(type)) return null;
  let pos = slash + 1;
  let semi = s.indexOf(";", pos);
  if (semi < 0) semi = s.length;
  const subtype = s.slice(pos, semi).replace(/[\t\n\r ]+$/, "");
  if (!TOKEN.test(subtype)) return null;
  pos = semi;
  const mime: MimeType = { type: type.toLowerCase(), subtype: subtype.toLowerCase(), parameters: new Map() };
  while (pos < s.length) {
    pos++; // the ";"
    while (pos < s.length && HTTP_WS.test(s[pos] as string)) pos++;
    let nameEnd = pos;
    while (nameEnd < s.length && s[nameEnd] !== ";" && s[nameEnd] !== "=") nameEnd++;
    const name = s.slice(pos, nameEnd).toLowerCase();
    pos = nameEnd;
    if (pos < s.length) {
      if (s[pos] === ";") continue;
      pos++; // the "="
    }
    if (pos >= s.length) break;
    let value: string;
    if (s[pos] === '"') {
      [value, pos] = collectQuoted(s, pos);
      while (pos < s.length && s[pos] !== ";") pos++;
    } else {
      let end = s.indexOf(";", pos);
      if (end < 0) end = s.length;
      value = s.slice(pos, end).replace(/[\t\n\r ]+$/, "");
      pos = end;
      if (value === "") continue;
    }
    if (name !== "" && TOKEN.test(name) && QUOTED_STRING_TOKEN.test(value) && !mime.parameters.has(name)) {
      mime.parameters.set(name, value);
    }
  }
  return mime;
}

export const essence = (m: MimeType) => `${m.type}/${m.subtype}`;

/** https://mimesniff.spec.whatwg.org/#serialize-a-mime-type */
export function serializeMimeType(m: MimeType): string {
  let out = essence(m);
  for (const [name, value] of m.parameters) {
    const v = value !== "" && TOKEN.test(value) ? value : `"${value.replace(/(["\\])/g, "\\$1")}"`;
    out += `;${name}=${v}`;
  }
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
      current += value.slice(start, pos);
      continue;
    }
    values.push(trimHttpWs(current));
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
  for (const value of splitHeaderValue(contentType)) {
    const temp = parseMimeType(value);
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
