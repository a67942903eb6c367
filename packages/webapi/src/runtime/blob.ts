/**
 * https://w3c.github.io/FileAPI/ — Blob and File. A blob holds its bytes in memory as one immutable
 * Uint8Array: parts are copied in at construction, slices share the parent's bytes, and every read
 * hands out a copy, so nothing outside can change a blob.
 */
import { TextDecoder, TextEncoder } from "./encoding.js";
import { byteStreamOf, type ReadableStream } from "./streams.js";
import { toDOMString, toUSVString } from "./webidl.js";

export type BlobPart = ArrayBuffer | ArrayBufferView | Blob | string;
export interface BlobPropertyBag {
  type?: string;
  endings?: "transparent" | "native";
}
export interface FilePropertyBag extends BlobPropertyBag {
  lastModified?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Passed as `blobParts` by `blobFromBytes`, which no app can reach: build a blob over bytes without copying. */
const INTERNAL = Symbol("blob internal");
interface InternalInit {
  bytes: Uint8Array;
  type: string;
}

let bytesOf: (blob: Blob) => Uint8Array;

/** https://w3c.github.io/FileAPI/#dfn-type — lower-cased, or "" if any character is outside U+0020–U+007E. */
function normalizeType(type: string): string {
  return /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : "";
}

/** WebIDL dictionary conversion: undefined/null is empty, any other non-object is a TypeError. */
function dictionary(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** Reads `endings` (members convert in lexicographic order, so callers read `endings` first). */
function readEndings(dict: Record<string, unknown>, what: string): "transparent" | "native" {
  const value = dict.endings;
  const endings = value === undefined ? "transparent" : toDOMString(value);
  if (endings !== "transparent" && endings !== "native") {
    throw new TypeError(`${what}: endings must be "transparent" or "native", got "${endings}"`);
  }
  return endings;
}

function readType(dict: Record<string, unknown>): string {
  const value = dict.type;
  return value === undefined ? "" : toDOMString(value);
}

/**
 * The `sequence<BlobPart>` argument conversion: iterates the parts and converts each one, before the
 * options are read (WebIDL converts arguments in order). Blobs give their bytes, buffers a copy.
 */
function convertBlobParts(parts: unknown): (Uint8Array | string)[] {
  if (parts === undefined) return [];
  if ((typeof parts !== "object" && typeof parts !== "function") || parts === null) {
    throw new TypeError("Blob parts must be a sequence (an iterable object)");
  }
  const iteratorMethod = (parts as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof iteratorMethod !== "function") throw new TypeError("Blob parts must be a sequence (an iterable object)");
  const out: (Uint8Array | string)[] = [];
  for (const element of parts as Iterable<unknown>) {
    if (element instanceof Blob) out.push(bytesOf(element));
    else if (element instanceof ArrayBuffer) out.push(new Uint8Array(element.slice(0)));
    else if (ArrayBuffer.isView(element))
      out.push(new Uint8Array(element.buffer, element.byteOffset, element.byteLength).slice());
    else out.push(toUSVString(element));
  }
  return out;
}

/** https://w3c.github.io/FileAPI/#process-blob-parts */
function processBlobParts(parts: (Uint8Array | string)[], endings: string): Uint8Array {
  const chunks = parts.map((part) => {
    if (typeof part !== "string") return part;
    // https://w3c.github.io/FileAPI/#convert-line-endings-to-native — native is LF here.
    return encoder.encode(endings === "native" ? part.replace(/\r\n?/g, "\n") : part);
  });
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** WebIDL `[Clamp] long long`: NaN → 0, round half to even, clamp. */
function clampLongLong(value: unknown): number {
  const n = Number(value);
  if (Number.isNaN(n)) return 0;
  if (!Number.isFinite(n)) return n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  const floor = Math.floor(n);
  const diff = n - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded === 0 ? 0 : rounded;
}

export class Blob {
  #bytes: Uint8Array;
  #type: string;

  static {
    bytesOf = (blob) => blob.#bytes;
  }

  // `= undefined` keeps Function.length at WebIDL's count of required arguments.
  constructor(blobParts: Iterable<BlobPart> | undefined = undefined, options: BlobPropertyBag | undefined = undefined) {
    if ((blobParts as unknown) === INTERNAL) {
      const init = options as unknown as InternalInit;
      this.#bytes = init.bytes;
      this.#type = init.type;
      return;
    }
    const parts = convertBlobParts(blobParts);
    const dict = dictionary(options, "Blob options");
    const endings = readEndings(dict, "Blob options");
    this.#bytes = processBlobParts(parts, endings);
    this.#type = normalizeType(readType(dict));
  }

  get size(): number {
    return this.#bytes.byteLength;
  }
  get type(): string {
    return this.#type;
  }

  /** https://w3c.github.io/FileAPI/#slice-method-algo */
  slice(
    start: number | undefined = undefined,
    end: number | undefined = undefined,
    contentType: string | undefined = undefined,
  ): Blob {
    const size = this.#bytes.byteLength;
    const rel = (v: unknown, dflt: number) => {
      if (v === undefined) return dflt;
      const n = clampLongLong(v);
      return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
    };
    const from = rel(start, 0);
    const to = rel(end, size);
    const type = contentType === undefined ? "" : normalizeType(toDOMString(contentType));
    return blobFromBytes(this.#bytes.subarray(from, Math.max(to, from)), type);
  }

  stream(): ReadableStream<Uint8Array> {
    return byteStreamOf(this.#bytes);
  }
  async text(): Promise<string> {
    return decoder.decode(this.#bytes);
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#bytes.slice().buffer;
  }
  async bytes(): Promise<Uint8Array> {
    return this.#bytes.slice();
  }
  get [Symbol.toStringTag](): string {
    return "Blob";
  }
}

export class File extends Blob {
  #name: string;
  #lastModified: number;

  constructor(fileBits: Iterable<BlobPart>, fileName: string, options: FilePropertyBag | undefined = undefined) {
    if ((fileBits as unknown) === INTERNAL) {
      const init = options as unknown as InternalInit & { lastModified: number };
      super(fileBits, options);
      this.#name = fileName;
      this.#lastModified = init.lastModified;
      return;
    }
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given, not their values.
    if (arguments.length < 2) throw new TypeError("File constructor requires fileBits and fileName");
    // WebIDL converts arguments in order: fileBits, fileName, then options (endings, lastModified, type).
    const parts = convertBlobParts(fileBits);
    const name = toUSVString(fileName);
    const dict = dictionary(options, "File options");
    const endings = readEndings(dict, "File options");
    // `long long`: ToNumber, non-finite → 0, truncated.
    const lm = dict.lastModified === undefined ? Date.now() : Number(dict.lastModified);
    const type = normalizeType(readType(dict));
    const internal: InternalInit = { bytes: processBlobParts(parts, endings), type };
    super(INTERNAL as unknown as Iterable<BlobPart>, internal as unknown as BlobPropertyBag);
    this.#name = name;
    this.#lastModified = Number.isFinite(lm) ? Math.trunc(lm) + 0 : 0;
  }

  get name(): string {
    return this.#name;
  }
  get lastModified(): number {
    return this.#lastModified;
  }
  override get [Symbol.toStringTag](): string {
    return "File";
  }
}

/** @internal the blob's bytes, shared: callers must not write to them. */
export function blobBytes(blob: Blob): Uint8Array {
  return bytesOf(blob);
}

/** @internal a Blob over `bytes`, which the caller hands over and must not write to again. */
export function blobFromBytes(bytes: Uint8Array, type: string): Blob {
  return new Blob(INTERNAL as unknown as Iterable<BlobPart>, { bytes, type } as unknown as BlobPropertyBag);
}

/** @internal a File over `bytes` (multipart parsing, FormData entries). */
export function fileFromBytes(bytes: Uint8Array, name: string, type: string, lastModified: number): File {
  return new File(INTERNAL as unknown as Iterable<BlobPart>, name, {
    bytes,
    type,
    lastModified,
  } as unknown as FilePropertyBag);
}
