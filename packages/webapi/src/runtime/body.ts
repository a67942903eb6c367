// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://fetch.spec.whatwg.org/#bodies and https://fetch.spec.whatwg.org/#body-mixin — a body is a
 * ReadableStream, but most bodies start as bytes (the host's request, a string, a buffer, a Blob, a
 * serialized form), so a Body keeps those bytes and makes the stream only when `body` is read. Until
 * then consuming it (text(), the host taking a response) hands the bytes over without a stream.
 */
import { type Blob, blobBytes, blobFromBytes, blobType, isBlob } from "./blob.js";
import { type FormData, isFormData } from "./form-data.js";
import { parseFormData, serializeFormData } from "./form-data-body.js";
import { extractMimeType, serializeMimeType } from "./mime.js";
import {
  ArrayBufferIsView,
  ArrayBufferPrototypeGetByteLength,
  copyBuffer,
  copyBytes,
  isArrayBuffer,
  isInstanceOf,
  JSONParse,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
  TypeError,
  Uint8Array,
  viewBytes,
} from "./primordials.js";
import {
  byteStreamOf,
  consumedStream,
  isDisturbed,
  isReadableStream,
  type ReadableStream,
  ReadableStreamPrototypeGetLocked,
  ReadableStreamPrototypePipeThrough,
  ReadableStreamPrototypeTee,
  readAllBytes,
  TransformStream,
} from "./streams.js";
import { URLSearchParams } from "./url.js";
import { utf8Decode, utf8Encode } from "./utf8.js";
import { toUSVString } from "./webidl.js";

export type BodyInit =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | URLSearchParams
  | FormData
  | ReadableStream<Uint8Array>
  | null
  | undefined;

export class Body {
  /** The source bytes while no stream was made; null once streamed or consumed. */
  #bytes: Uint8Array | null;
  /** Whether #bytes may also be seen by someone else (a Blob, a clone): copy before handing out. */
  #shared: boolean;
  #stream: ReadableStream<Uint8Array> | null;
  /** Consumed through the bytes fast path (the stream, if asked for later, is made disturbed). */
  #consumed = false;

  private constructor(bytes: Uint8Array | null, shared: boolean, stream: ReadableStream<Uint8Array> | null) {
    this.#bytes = bytes;
    this.#shared = shared;
    this.#stream = stream;
  }

  static fromBytes(bytes: Uint8Array, shared = false): Body {
    return new Body(bytes, shared, null);
  }
  static fromStream(stream: ReadableStream<Uint8Array>): Body {
    return new Body(null, false, stream);
  }

  /** The body's stream, made on first use. */
  get stream(): ReadableStream<Uint8Array> {
    if (this.#stream === null) {
      this.#stream = this.#consumed ? consumedStream() : byteStreamOf(this.#bytes as Uint8Array);
      this.#bytes = null;
    }
    return this.#stream;
  }
  /** Whether the body is still bytes that were never streamed: the source, known without reading. */
  get isBuffered(): boolean {
    return this.#bytes !== null;
  }
  /** https://fetch.spec.whatwg.org/#concept-body-disturbed (read through either path). */
  get disturbed(): boolean {
    return this.#consumed || (this.#stream !== null && isDisturbed(this.#stream));
  }
  /** https://fetch.spec.whatwg.org/#body-unusable */
  get unusable(): boolean {
    return this.disturbed || (this.#stream !== null && ReadableStreamPrototypeGetLocked(this.#stream));
  }

  /**
   * https://fetch.spec.whatwg.org/#body-fully-read — the whole body; the caller has checked `unusable`.
   * Buffered bytes come back synchronously, owned by the caller unless `copy` is false.
   */
  read(copy = true): Uint8Array | Promise<Uint8Array> {
    if (this.#stream !== null) return readAllBytes(this.#stream);
    const bytes = this.#bytes as Uint8Array;
    this.#bytes = null;
    this.#consumed = true;
    return copy && this.#shared ? copyBytes(bytes) : bytes;
  }

  /**
   * The body handed to the host: its bytes while still buffered (they go in one piece, uncopied: the
   * host copies them out), else its stream, which is sent on chunk by chunk. Throws if already used.
   */
  take(): Uint8Array | ReadableStream<Uint8Array> {
    if (this.unusable) throw new TypeError("The body was already used");
    return this.#bytes !== null ? (this.read(false) as Uint8Array) : this.stream;
  }

  /** https://fetch.spec.whatwg.org/#concept-body-clone — buffered bytes are shared, streams teed. */
  clone(): Body {
    if (this.#stream === null) {
      this.#shared = true;
      return new Body(this.#bytes, true, null);
    }
    const branches = ReadableStreamPrototypeTee(this.#stream);
    this.#stream = branches[0];
    return Body.fromStream(branches[1]);
  }

  /**
   * The Request constructor's "creating a proxy": the new body takes over this one, which ends up
   * disturbed (so the source request's `bodyUsed` is true).
   */
  takeOver(): Body {
    if (this.#stream === null) {
      const bytes = this.#bytes as Uint8Array;
      this.#bytes = null;
      this.#consumed = true;
      return new Body(bytes, this.#shared, null);
    }
    return Body.fromStream(
      ReadableStreamPrototypePipeThrough(this.#stream, new TransformStream<Uint8Array, Uint8Array>()),
    );
  }
}

/** https://fetch.spec.whatwg.org/#concept-bodyinit-extract — the body and the Content-Type it implies. */
export function extractBody(init: BodyInit): { body: Body; contentType: string | null } {
  if (typeof init === "string") {
    return { body: Body.fromBytes(utf8Encode(init)), contentType: "text/plain;charset=UTF-8" };
  }
  if (isReadableStream(init)) {
    if (isDisturbed(init) || ReadableStreamPrototypeGetLocked(init)) {
      throw new TypeError("The body stream is disturbed or locked");
    }
    return { body: Body.fromStream(init as ReadableStream<Uint8Array>), contentType: null };
  }
  if (isBlob(init)) {
    const type = blobType(init);
    return { body: Body.fromBytes(blobBytes(init), true), contentType: type === "" ? null : type };
  }
  if (ArrayBufferIsView(init)) {
    // A copy of the viewed bytes, read through the intrinsic accessors (a view's own getters may lie).
    return { body: Body.fromBytes(copyBytes(viewBytes(init))), contentType: null };
  }
  if (isFormData(init)) {
    const serialized = serializeFormData(init);
    return { body: Body.fromBytes(serialized.bytes), contentType: serialized.contentType };
  }
  if (isInstanceOf(init, URLSearchParams)) {
    return {
      body: Body.fromBytes(utf8Encode(`${init}`)),
      contentType: "application/x-www-form-urlencoded;charset=UTF-8",
    };
  }
  if (isArrayBuffer(init)) {
    return { body: Body.fromBytes(new Uint8Array(copyBuffer(init))), contentType: null };
  }
  // Any other value converts to a USVString (WebIDL union conversion).
  return { body: Body.fromBytes(utf8Encode(toUSVString(init))), contentType: "text/plain;charset=UTF-8" };
}

/** https://fetch.spec.whatwg.org/#concept-body-consume-body — the bytes, or a TypeError if unusable. */
async function consume(body: Body | null): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  if (body.unusable) throw new TypeError("Body is unusable: it has already been read or is locked");
  // Awaited, not returned: an async function resolving with a promise looks up its (replaceable) `then`.
  return await body.read();
}

/**
 * The body mixin's consumers, shared by Request and Response. Each takes the body and the
 * Content-Type value; the owner's brand check happens before (reading its private field).
 */
export const consumeBody = {
  async arrayBuffer(body: Body | null): Promise<ArrayBuffer> {
    const b = await consume(body);
    // read() hands out bytes nobody else holds; a view over part of a buffer is copied to fit.
    const buffer = TypedArrayPrototypeGetBuffer(b);
    const whole =
      TypedArrayPrototypeGetByteOffset(b) === 0 &&
      TypedArrayPrototypeGetByteLength(b) === ArrayBufferPrototypeGetByteLength(buffer);
    return whole ? buffer : TypedArrayPrototypeGetBuffer(copyBytes(b));
  },
  async blob(body: Body | null, contentType: string | null): Promise<Blob> {
    const b = await consume(body);
    const mime = extractMimeType(contentType);
    return blobFromBytes(b, mime === null ? "" : serializeMimeType(mime));
  },
  async bytes(body: Body | null): Promise<Uint8Array> {
    return await consume(body);
  },
  async formData(body: Body | null, contentType: string | null): Promise<FormData> {
    const b = await consume(body);
    return parseFormData(b, extractMimeType(contentType));
  },
  async json(body: Body | null): Promise<unknown> {
    return JSONParse(utf8Decode(await consume(body)));
  },
  async text(body: Body | null): Promise<string> {
    return utf8Decode(await consume(body));
  },
};
