// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * FormData's byte forms for bodies: serialization as multipart/form-data
 * (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm)
 * and parsing for `formData()` (https://fetch.spec.whatwg.org/#dom-body-formdata): multipart/form-data
 * after https://andreubotella.github.io/multipart-form-data/ (lenient about parameter order and
 * spacing in Content-Disposition, as real clients vary) and application/x-www-form-urlencoded.
 */
import { blobBytes, blobType, fileFromBytes, fileInfo } from "./blob.js";
import { type FormData, type FormDataEntry, formDataEntries, formDataOf } from "./form-data.js";
import { essence, type MimeType } from "./mime.js";
import {
  ArrayPrototypePush,
  copyBytes,
  DateNow,
  MathFloor,
  MathMin,
  MathRandom,
  ReflectApply,
  RegExpPrototypeExec,
  regExpReplaceAll,
  regExpTest,
  StringFromCharCode,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
  subBytes,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSet,
  TypeError,
  Uint8Array,
} from "./primordials.js";
import { utf8Decode, utf8Encode } from "./utf8.js";

const LONE_NEWLINE = /\r(?!\n)|(?<!\r)\n/g;
const NAME_ESCAPES = /[\n\r"]/g;
const ESCAPED: Readonly<Record<string, string>> = { "\n": "%0A", "\r": "%0D", '"': "%22" };

/** Names and string values: every lone CR or LF becomes CRLF (HTML's "convert to a list of name-value pairs"). */
const normalizeNewlines = (s: string) => regExpReplaceAll(LONE_NEWLINE, s, () => "\r\n");
/** The multipart encoding's escaping of field names and filenames. */
const escapeName = (s: string) => regExpReplaceAll(NAME_ESCAPES, s, (c) => ESCAPED[c] as string);

const BOUNDARY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function generateBoundary(): string {
  let b = "----NanoFormBoundary";
  for (let i = 0; i < 24; i++) b += BOUNDARY_CHARS[MathFloor(MathRandom() * BOUNDARY_CHARS.length)];
  return b;
}

/** Appends `b` to `chunks`; returns its length. */
function append(chunks: Uint8Array[], b: Uint8Array): number {
  ArrayPrototypePush(chunks, b);
  return TypedArrayPrototypeGetByteLength(b);
}

const isTabOrSpace = (c: number) => c === 0x09 || c === 0x20;

/** https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm */
export function serializeFormData(fd: FormData): { bytes: Uint8Array; contentType: string } {
  const boundary = generateBoundary();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const entries = formDataEntries(fd);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as FormDataEntry;
    const name = entry[0];
    const value = entry[1];
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(normalizeNewlines(name))}"`;
    if (typeof value === "string") {
      total += append(chunks, utf8Encode(`${head}\r\n\r\n${normalizeNewlines(value)}\r\n`));
      continue;
    }
    const type = blobType(value);
    head += `; filename="${escapeName(fileInfo(value).name)}"\r\nContent-Type: ${type || "application/octet-stream"}`;
    total += append(chunks, utf8Encode(`${head}\r\n\r\n`));
    total += append(chunks, blobBytes(value));
    total += append(chunks, utf8Encode("\r\n"));
  }
  total += append(chunks, utf8Encode(`--${boundary}--\r\n`));
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i] as Uint8Array;
    TypedArrayPrototypeSet(bytes, c, offset);
    offset += TypedArrayPrototypeGetByteLength(c);
  }
  return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Bytes as code points U+0000–U+00FF (isomorphic decode). */
function latin1(b: Uint8Array): string {
  let s = "";
  const n = TypedArrayPrototypeGetByteLength(b);
  for (let i = 0; i < n; i += 8192) {
    s += ReflectApply(StringFromCharCode, undefined, subBytes(b, i, MathMin(i + 8192, n)) as never);
  }
  return s;
}

/** Where `pattern` next occurs in `data` at or after `from`, or -1. */
function indexOfBytes(data: Uint8Array, pattern: Uint8Array, from: number): number {
  const first = pattern[0] as number;
  const last = data.length - pattern.length;
  for (
    let i = TypedArrayPrototypeIndexOf(data, first, from);
    i >= 0 && i <= last;
    i = TypedArrayPrototypeIndexOf(data, first, i + 1)
  ) {
    let j = 1;
    while (j < pattern.length && data[i + j] === pattern[j]) j++;
    if (j === pattern.length) return i;
  }
  return -1;
}

function startsWithAt(data: Uint8Array, pattern: Uint8Array, at: number): boolean {
  if (at + pattern.length > data.length) return false;
  for (let i = 0; i < pattern.length; i++) if (data[at + i] !== pattern[i]) return false;
  return true;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);
const DASHDASH = new Uint8Array([0x2d, 0x2d]);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DISPOSITION = /^form-data[\t ]*(;.*)?$/i;
const PERCENT_ESCAPE = /%(0A|0D|22)/gi;

/** `s` without leading and trailing tabs and spaces. */
function trimTabsAndSpaces(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isTabOrSpace(StringPrototypeCharCodeAt(s, start))) start++;
  while (end > start && isTabOrSpace(StringPrototypeCharCodeAt(s, end - 1))) end--;
  return StringPrototypeSlice(s, start, end);
}

/** The Content-Disposition parameters (name, filename), the multipart way: %0A %0D %22 decoded. */
function parseDisposition(value: string): { name: string | null; filename: string | null } | null {
  const m = RegExpPrototypeExec(DISPOSITION, value);
  if (!m) return null;
  const params = m[1] ?? "";
  const out: { name: string | null; filename: string | null } = { name: null, filename: null };
  const re = /;[\t ]*([^\t ;=]+)[\t ]*=[\t ]*(?:"([^"]*)"|([^\t ;]*))[\t ]*/gy;
  let match: RegExpExecArray | null = RegExpPrototypeExec(re, params);
  let end = 0;
  while (match) {
    end = re.lastIndex;
    const key = StringPrototypeToLowerCase(match[1] as string);
    const raw = match[2] ?? match[3] ?? "";
    // Field values are UTF-8 bytes (read here as latin-1); the only escapes are %0A, %0D and %22.
    const rawBytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) rawBytes[i] = StringPrototypeCharCodeAt(raw, i);
    const decoded = regExpReplaceAll(PERCENT_ESCAPE, utf8Decode(rawBytes, true), (s) =>
      s === "%22" ? '"' : s[2] === "A" || s[2] === "a" ? "\n" : "\r",
    );
    if (key === "name" && out.name === null) out.name = decoded;
    else if (key === "filename" && out.filename === null) out.filename = decoded;
    match = RegExpPrototypeExec(re, params);
  }
  if (end !== params.length) return null;
  return out;
}

/** Parses one part's header block at `pos`; returns its fields and the position after the blank line. */
function parsePartHeaders(data: Uint8Array, start: number) {
  let pos = start;
  let name: string | null = null;
  let filename: string | null = null;
  let contentType: string | null = null;
  for (;;) {
    if (startsWithAt(data, CRLF, pos)) {
      if (name === null) return null;
      return { name, filename, contentType, pos: pos + 2 };
    }
    const lineEnd = indexOfBytes(data, CRLF, pos);
    if (lineEnd < 0) return null;
    const line = latin1(subBytes(data, pos, lineEnd));
    const colon = StringPrototypeIndexOf(line, ":");
    if (colon <= 0 || !regExpTest(HEADER_NAME, StringPrototypeSlice(line, 0, colon))) return null;
    const headerName = StringPrototypeToLowerCase(StringPrototypeSlice(line, 0, colon));
    const value = trimTabsAndSpaces(StringPrototypeSlice(line, colon + 1));
    if (headerName === "content-disposition") {
      const d = parseDisposition(value);
      if (d === null || d.name === null) return null;
      name = d.name;
      filename = d.filename;
    } else if (headerName === "content-type") {
      contentType = value;
    }
    pos = lineEnd + 2;
  }
}

/** https://andreubotella.github.io/multipart-form-data/#multipart-form-data-parser — null on failure. */
function parseMultipart(data: Uint8Array, boundary: string): FormData | null {
  const entries: FormDataEntry[] = [];
  const delimiter = utf8Encode(`--${boundary}`);
  const nextDelimiter = utf8Encode(`\r\n--${boundary}`);
  let pos = 0;
  for (;;) {
    if (!startsWithAt(data, delimiter, pos)) return null;
    pos += delimiter.length;
    // The close delimiter; a trailing CRLF (or epilogue) after it is allowed.
    if (startsWithAt(data, DASHDASH, pos)) return formDataOf(entries);
    if (!startsWithAt(data, CRLF, pos)) return null;
    const headers = parsePartHeaders(data, pos + 2);
    if (headers === null) return null;
    const bodyEnd = indexOfBytes(data, nextDelimiter, headers.pos);
    if (bodyEnd < 0) return null;
    const body = subBytes(data, headers.pos, bodyEnd);
    if (headers.filename !== null) {
      // Fetch: the part's Content-Type, or text/plain (RFC 7578 §4.4's default).
      const type = headers.contentType ?? "text/plain";
      ArrayPrototypePush(entries, [headers.name, fileFromBytes(copyBytes(body), headers.filename, type, DateNow())]);
    } else {
      ArrayPrototypePush(entries, [headers.name, utf8Decode(body)]);
    }
    pos = bodyEnd + 2;
  }
}

/**
 * https://fetch.spec.whatwg.org/#dom-body-formdata's parsing step, by the body's MIME type. Throws a
 * TypeError when the type is neither form type or the bytes do not parse.
 */
export function parseFormData(bytes: Uint8Array, mime: MimeType | null): FormData {
  const kind = mime ? essence(mime) : null;
  if (kind === "multipart/form-data") {
    const boundary = mime?.parameters.get("boundary");
    if (boundary === undefined || boundary === "") throw new TypeError("multipart/form-data body without a boundary");
    const fd = parseMultipart(bytes, boundary);
    if (fd === null) throw new TypeError("Could not parse the multipart/form-data body");
    return fd;
  }
  if (kind === "application/x-www-form-urlencoded") {
    return formDataOf(parseUrlencoded(bytes));
  }
  throw new TypeError(`Cannot parse a body of type "${kind ?? ""}" as FormData`);
}

const HEX_VALUE = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/** https://url.spec.whatwg.org/#percent-decode over `bytes[start..end)`, with "+" as a space. */
function formDecode(bytes: Uint8Array, start: number, end: number): string {
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b === 0x25 && i + 2 < end) {
      const hi = HEX_VALUE(bytes[i + 1] as number);
      const lo = HEX_VALUE(bytes[i + 2] as number);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b === 0x2b ? 0x20 : b;
  }
  return utf8Decode(subBytes(out, 0, n), true);
}

/**
 * https://url.spec.whatwg.org/#concept-urlencoded-parser — what `new URLSearchParams(utf8 decode)`
 * gives, from the bytes directly and with primordials only.
 */
function parseUrlencoded(bytes: Uint8Array): FormDataEntry[] {
  const entries: FormDataEntry[] = [];
  const length = TypedArrayPrototypeGetByteLength(bytes);
  let start = 0;
  while (start <= length) {
    let end = TypedArrayPrototypeIndexOf(bytes, 0x26, start);
    if (end < 0) end = length;
    if (end > start) {
      let eq = TypedArrayPrototypeIndexOf(bytes, 0x3d, start);
      if (eq < 0 || eq > end) eq = end;
      const name = formDecode(bytes, start, eq);
      const value = eq < end ? formDecode(bytes, eq + 1, end) : "";
      ArrayPrototypePush(entries, [name, value]);
    }
    start = end + 1;
  }
  return entries;
}
