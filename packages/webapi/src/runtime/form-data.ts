/**
 * https://xhr.spec.whatwg.org/#interface-formdata — FormData, plus its two byte forms for bodies:
 * serialization as multipart/form-data (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm)
 * and parsing for `formData()` (https://fetch.spec.whatwg.org/#dom-body-formdata): multipart/form-data
 * after https://andreubotella.github.io/multipart-form-data/ (lenient about parameter order and
 * spacing in Content-Disposition, as real clients vary) and application/x-www-form-urlencoded.
 */
import { Blob, blobBytes, File, fileFromBytes } from "./blob.js";
import { TextDecoder, TextEncoder } from "./encoding.js";
import { essence, type MimeType } from "./mime.js";
import { URLSearchParams } from "./url.js";
import { toUSVString } from "./webidl.js";

export type FormDataEntryValue = string | File;
type Entry = [string, FormDataEntryValue];

let entriesOf: (fd: FormData) => Entry[];

/** https://xhr.spec.whatwg.org/#create-an-entry */
function createEntry(name: unknown, value: unknown, filename: unknown, hasFilename: boolean): Entry {
  const n = toUSVString(name);
  if (!(value instanceof Blob)) return [n, toUSVString(value)];
  let file = value instanceof File ? value : fileFromBytes(blobBytes(value), "blob", value.type, Date.now());
  if (hasFilename) file = fileFromBytes(blobBytes(file), toUSVString(filename), file.type, file.lastModified);
  return [n, file];
}

function requireArgs(given: number, needed: number, method: string): void {
  if (given < needed) throw new TypeError(`FormData.${method} requires ${needed} argument${needed > 1 ? "s" : ""}`);
}

/** WebIDL overload resolution: the three-argument form exists only for Blob values. */
function checkAppendArgs(args: unknown[], method: string): void {
  requireArgs(args.length, 2, method);
  if (args.length >= 3 && !(args[1] instanceof Blob)) {
    throw new TypeError(`FormData.${method}: a filename can only be given with a Blob value`);
  }
}

export class FormData {
  #entries: Entry[] = [];

  static {
    entriesOf = (fd) => fd.#entries;
  }

  // `= undefined` keeps Function.length at WebIDL's count of required arguments.
  constructor(form: unknown = undefined, _submitter: unknown = undefined) {
    // There are no form elements here: any given `form` fails the HTMLFormElement conversion.
    if (form !== undefined) throw new TypeError("FormData: the form argument is not an HTMLFormElement");
  }

  append(name: string, value: string | Blob, filename: string | undefined = undefined): void {
    const entries = this.#entries;
    // biome-ignore lint/complexity/noArguments: overload resolution depends on how many arguments were given.
    checkAppendArgs([...arguments], "append");
    entries.push(createEntry(name, value, filename, filename !== undefined));
  }

  delete(name: string): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "delete");
    const n = toUSVString(name);
    this.#entries = this.#entries.filter(([k]) => k !== n);
  }

  get(name: string): FormDataEntryValue | null {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "get");
    const n = toUSVString(name);
    const entry = this.#entries.find(([k]) => k === n);
    return entry ? entry[1] : null;
  }

  getAll(name: string): FormDataEntryValue[] {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "getAll");
    const n = toUSVString(name);
    return this.#entries.filter(([k]) => k === n).map(([, v]) => v);
  }

  has(name: string): boolean {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "has");
    const n = toUSVString(name);
    return this.#entries.some(([k]) => k === n);
  }

  set(name: string, value: string | Blob, filename: string | undefined = undefined): void {
    const entries = this.#entries;
    // biome-ignore lint/complexity/noArguments: overload resolution depends on how many arguments were given.
    checkAppendArgs([...arguments], "set");
    const entry = createEntry(name, value, filename, filename !== undefined);
    const i = entries.findIndex(([k]) => k === entry[0]);
    if (i < 0) {
      entries.push(entry);
      return;
    }
    entries[i] = entry;
    this.#entries = entries.filter(([k], j) => j <= i || k !== entry[0]);
  }

  forEach(
    callback: (value: FormDataEntryValue, name: string, fd: FormData) => void,
    thisArg: unknown = undefined,
  ): void {
    if (typeof callback !== "function") throw new TypeError("FormData.forEach: callback is not a function");
    // Indexed like WebIDL's pair iterators, so entries added or removed meanwhile are seen.
    for (let i = 0; i < this.#entries.length; i++) {
      const [n, v] = this.#entries[i] as Entry;
      callback.call(thisArg, v, n, this);
    }
  }

  entries(): FormDataIterator<[string, FormDataEntryValue]> {
    return new FormDataIterator(this, "entries");
  }
  keys(): FormDataIterator<string> {
    return new FormDataIterator(this, "keys");
  }
  values(): FormDataIterator<FormDataEntryValue> {
    return new FormDataIterator(this, "values");
  }
  declare [Symbol.iterator]: () => FormDataIterator<[string, FormDataEntryValue]>;
  get [Symbol.toStringTag](): string {
    return "FormData";
  }
}
// WebIDL: @@iterator is the same function object as entries.
Object.defineProperty(FormData.prototype, Symbol.iterator, {
  value: FormData.prototype.entries,
  writable: true,
  configurable: true,
});

type IterKind = "entries" | "keys" | "values";

/** https://webidl.spec.whatwg.org/#es-default-iterator — a live index over the entry list. */
class FormDataIterator<T> {
  #target: FormData;
  #kind: IterKind;
  #index = 0;

  constructor(target: FormData, kind: IterKind) {
    this.#target = target;
    this.#kind = kind;
  }
  next(): IteratorResult<T, undefined> {
    const entries = entriesOf(this.#target);
    if (this.#index >= entries.length) return { value: undefined, done: true };
    const [n, v] = entries[this.#index++] as Entry;
    const value = this.#kind === "keys" ? n : this.#kind === "values" ? v : [n, v];
    return { value: value as T, done: false };
  }
  [Symbol.iterator](): this {
    return this;
  }
  get [Symbol.toStringTag](): string {
    return "FormData Iterator";
  }
}
// The iterator prototype's [[Prototype]] is %IteratorPrototype%, as WebIDL says.
Object.setPrototypeOf(FormDataIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));

/** @internal the entry list (for serialization). */
export function formDataEntries(fd: FormData): readonly Entry[] {
  return entriesOf(fd);
}

const encoder = new TextEncoder();

/** Names and string values: every lone CR or LF becomes CRLF (HTML's "convert to a list of name-value pairs"). */
const normalizeNewlines = (s: string) => s.replace(/\r(?!\n)|(?<!\r)\n/g, "\r\n");
/** The multipart encoding's escaping of field names and filenames. */
const escapeName = (s: string) => s.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");

const BOUNDARY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function generateBoundary(): string {
  let b = "----NanoFormBoundary";
  for (let i = 0; i < 24; i++) b += BOUNDARY_CHARS[Math.floor(Math.random() * BOUNDARY_CHARS.length)];
  return b;
}

/** https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm */
export function serializeFormData(fd: FormData): { bytes: Uint8Array; contentType: string } {
  const boundary = generateBoundary();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    total += b.byteLength;
  };
  for (const [name, value] of entriesOf(fd)) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(normalizeNewlines(name))}"`;
    if (typeof value === "string") {
      push(encoder.encode(`${head}\r\n\r\n${normalizeNewlines(value)}\r\n`));
      continue;
    }
    head += `; filename="${escapeName(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}`;
    push(encoder.encode(`${head}\r\n\r\n`));
    push(blobBytes(value));
    push(encoder.encode("\r\n"));
  }
  push(encoder.encode(`--${boundary}--\r\n`));
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
}

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8NoBom = new TextDecoder();
/** Bytes as code points U+0000–U+00FF (isomorphic decode). */
function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/** Where `pattern` next occurs in `data` at or after `from`, or -1. */
function indexOfBytes(data: Uint8Array, pattern: Uint8Array, from: number): number {
  const first = pattern[0] as number;
  const last = data.length - pattern.length;
  for (let i = data.indexOf(first, from); i >= 0 && i <= last; i = data.indexOf(first, i + 1)) {
    let j = 1;
    while (j < pattern.length && data[i + j] === pattern[j]) j++;
    if (j === pattern.length) return i;
  }
  return -1;
}

const startsWithAt = (data: Uint8Array, pattern: Uint8Array, at: number) =>
  at + pattern.length <= data.length && pattern.every((b, i) => data[at + i] === b);

const CRLF = new Uint8Array([0x0d, 0x0a]);
const DASHDASH = new Uint8Array([0x2d, 0x2d]);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The Content-Disposition parameters (name, filename), the multipart way: %0A %0D %22 decoded. */
function parseDisposition(value: string): { name: string | null; filename: string | null } | null {
  const m = /^form-data[\t ]*(;.*)?$/i.exec(value);
  if (!m) return null;
  const params = m[1] ?? "";
  const out: { name: string | null; filename: string | null } = { name: null, filename: null };
  const re = /;[\t ]*([^\t ;=]+)[\t ]*=[\t ]*(?:"([^"]*)"|([^\t ;]*))[\t ]*/gy;
  let match: RegExpExecArray | null = re.exec(params);
  let end = 0;
  while (match) {
    end = re.lastIndex;
    const key = (match[1] as string).toLowerCase();
    const raw = match[2] ?? match[3] ?? "";
    // Field values are UTF-8 bytes (read here as latin-1); the only escapes are %0A, %0D and %22.
    const decoded = utf8
      .decode(Uint8Array.from(raw, (c) => c.charCodeAt(0)))
      .replace(/%(0A|0D|22)/gi, (s) => String.fromCharCode(Number.parseInt(s.slice(1), 16)));
    if (key === "name" && out.name === null) out.name = decoded;
    else if (key === "filename" && out.filename === null) out.filename = decoded;
    match = re.exec(params);
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
    const line = latin1(data.subarray(pos, lineEnd));
    const colon = line.indexOf(":");
    if (colon <= 0 || !HEADER_NAME.test(line.slice(0, colon))) return null;
    const headerName = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, "");
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
  const fd = new FormData();
  const entries = entriesOf(fd);
  const delimiter = encoder.encode(`--${boundary}`);
  const nextDelimiter = encoder.encode(`\r\n--${boundary}`);
  let pos = 0;
  for (;;) {
    if (!startsWithAt(data, delimiter, pos)) return null;
    pos += delimiter.length;
    // The close delimiter; a trailing CRLF (or epilogue) after it is allowed.
    if (startsWithAt(data, DASHDASH, pos)) return fd;
    if (!startsWithAt(data, CRLF, pos)) return null;
    const headers = parsePartHeaders(data, pos + 2);
    if (headers === null) return null;
    const bodyEnd = indexOfBytes(data, nextDelimiter, headers.pos);
    if (bodyEnd < 0) return null;
    const body = data.subarray(headers.pos, bodyEnd);
    if (headers.filename !== null) {
      // Fetch: the part's Content-Type, or text/plain (RFC 7578 §4.4's default).
      const type = headers.contentType ?? "text/plain";
      entries.push([headers.name, fileFromBytes(body.slice(), headers.filename, type, Date.now())]);
    } else {
      entries.push([headers.name, utf8NoBom.decode(body)]);
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
    const fd = new FormData();
    const entries = entriesOf(fd);
    for (const [k, v] of new URLSearchParams(utf8.decode(bytes))) entries.push([k, v]);
    return fd;
  }
  throw new TypeError(`Cannot parse a body of type "${kind ?? ""}" as FormData`);
}
