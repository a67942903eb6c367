// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://w3c.github.io/FileAPI/ — Blob and File. A blob holds its bytes in memory as one immutable
 * Uint8Array: parts are copied in at construction, slices share the parent's bytes, and every read
 * hands out a copy, so nothing outside can change a blob.
 */
import {
  ArrayBufferIsView,
  ArrayPrototypePush,
  copyBuffer,
  copyBytes,
  DateNow,
  isArrayBuffer,
  MathMax,
  MathMin,
  MathTrunc,
  NumberIsFinite,
  regExpReplaceAll,
  regExpTest,
  StringPrototypeToLowerCase,
  SymbolCreate,
  SymbolIterator,
  safeSetOf,
  subBytes,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeSet,
  TypeError,
  Uint8Array,
  viewBytes,
} from "./primordials.js";
import { byteStreamOf, type ReadableStream } from "./streams.js";
import { utf8Decode, utf8Encode } from "./utf8.js";
import { dictionary, member, toDOMString, toEnum, toLongLong, toUSVString } from "./webidl.js";

const CLAMP = { clamp: true };

export type BlobPart = ArrayBuffer | ArrayBufferView | Blob | string;
export interface BlobPropertyBag {
  type?: string;
  endings?: "transparent" | "native";
}
export interface FilePropertyBag extends BlobPropertyBag {
  lastModified?: number;
}

/** Passed as `blobParts` by `blobFromBytes`, which no app can reach: build a blob over bytes without copying. */
const INTERNAL = SymbolCreate("blob internal");
interface InternalInit {
  bytes: Uint8Array;
  type: string;
}

let bytesOf: (blob: Blob) => Uint8Array;
let typeOf: (blob: Blob) => string;
let isBlobObject: (value: unknown) => value is Blob;
const PRINTABLE = /^[\x20-\x7e]*$/;
const NEWLINES = /\r\n?/g;

/** https://w3c.github.io/FileAPI/#dfn-type — lower-cased, or "" if any character is outside U+0020–U+007E. */
function normalizeType(type: string): string {
  return regExpTest(PRINTABLE, type) ? StringPrototypeToLowerCase(type) : "";
}

const ENDINGS = safeSetOf(["transparent", "native"]);

/** Reads `endings` (members convert in lexicographic order, so callers read `endings` first). */
function readEndings(dict: Record<string, unknown>, what: string): "transparent" | "native" {
  return member(dict, "endings", "transparent", (v) => toEnum<"transparent" | "native">(v, ENDINGS, `${what}.endings`));
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
  const iteratorMethod = (parts as { [SymbolIterator]?: unknown })[SymbolIterator];
  if (typeof iteratorMethod !== "function") throw new TypeError("Blob parts must be a sequence (an iterable object)");
  const out: (Uint8Array | string)[] = [];
  // WebIDL sequence<BlobPart>: the app's iterable, iterated as it made it.
  for (const element of parts as Iterable<unknown>) {
    if (isBlobObject(element)) ArrayPrototypePush(out, bytesOf(element));
    else if (ArrayBufferIsView(element)) ArrayPrototypePush(out, copyBytes(viewBytes(element)));
    else if (isArrayBuffer(element)) ArrayPrototypePush(out, new Uint8Array(copyBuffer(element)));
    else ArrayPrototypePush(out, toUSVString(element));
  }
  return out;
}

/** https://w3c.github.io/FileAPI/#process-blob-parts */
function processBlobParts(parts: (Uint8Array | string)[], endings: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as Uint8Array | string;
    // https://w3c.github.io/FileAPI/#convert-line-endings-to-native — native is LF here.
    const chunk =
      typeof part !== "string"
        ? part
        : utf8Encode(endings === "native" ? regExpReplaceAll(NEWLINES, part, () => "\n") : part);
    ArrayPrototypePush(chunks, chunk);
    total += TypedArrayPrototypeGetByteLength(chunk);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i] as Uint8Array;
    TypedArrayPrototypeSet(out, c, offset);
    offset += TypedArrayPrototypeGetByteLength(c);
  }
  return out;
}

/** https://w3c.github.io/FileAPI/#slice-method-algo — a start or end, relative to `size`. */
function relativePosition(v: unknown, dflt: number, size: number): number {
  if (v === undefined) return dflt;
  const n = toLongLong(v, "Blob.slice position", CLAMP);
  return n < 0 ? MathMax(size + n, 0) : MathMin(n, size);
}

export class Blob {
  #bytes: Uint8Array;
  #type: string;

  static {
    bytesOf = (blob) => blob.#bytes;
    typeOf = (blob) => blob.#type;
    isBlobObject = (value): value is Blob => typeof value === "object" && value !== null && #bytes in value;
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
    return TypedArrayPrototypeGetByteLength(this.#bytes);
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
    const size = TypedArrayPrototypeGetByteLength(this.#bytes);
    const from = relativePosition(start, 0, size);
    const to = relativePosition(end, size, size);
    const type = contentType === undefined ? "" : normalizeType(toDOMString(contentType));
    return blobFromBytes(subBytes(this.#bytes, from, MathMax(to, from)), type);
  }

  stream(): ReadableStream<Uint8Array> {
    return byteStreamOf(this.#bytes);
  }
  async text(): Promise<string> {
    return utf8Decode(this.#bytes);
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return TypedArrayPrototypeGetBuffer(copyBytes(this.#bytes));
  }
  async bytes(): Promise<Uint8Array> {
    return copyBytes(this.#bytes);
  }
  get [Symbol.toStringTag](): string {
    return "Blob";
  }
}

let fileState: (file: File) => { name: string; lastModified: number };
let isFileObject: (value: unknown) => value is File;

export class File extends Blob {
  #name: string;
  #lastModified: number;

  static {
    fileState = (file) => ({ name: file.#name, lastModified: file.#lastModified });
    isFileObject = (value): value is File => typeof value === "object" && value !== null && #name in value;
  }

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
    const lm = dict.lastModified === undefined ? DateNow() : toLongLong(dict.lastModified, "File lastModified");
    const type = normalizeType(readType(dict));
    const internal: InternalInit = { bytes: processBlobParts(parts, endings), type };
    super(INTERNAL as unknown as Iterable<BlobPart>, internal as unknown as BlobPropertyBag);
    this.#name = name;
    this.#lastModified = NumberIsFinite(lm) ? MathTrunc(lm) + 0 : 0;
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

/** Brand check (not `instanceof`, which an app can fake with `Blob[Symbol.hasInstance]`). */
export function isBlob(value: unknown): value is Blob {
  return isBlobObject(value);
}

/** The blob's type (the private state, not the `type` getter an app can redefine). */
export function blobType(blob: Blob): string {
  return typeOf(blob);
}

/** Brand check for File. */
export function isFile(value: unknown): value is File {
  return isFileObject(value);
}

/** The file's name and lastModified (the private state, not the getters). */
export function fileInfo(file: File): { name: string; lastModified: number } {
  return fileState(file);
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
