// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://streams.spec.whatwg.org/ — ReadableStream (default and byte streams, BYOB readers, tee, pipes,
 * `from`, async iteration), WritableStream, TransformStream, their readers, writers and controllers, and
 * the two queuing strategies. They come from web-streams-polyfill, a port of the spec's reference
 * implementation; its ponyfill build defines no globals and reads none at load (AbortController,
 * DOMException and queueMicrotask are looked up when first needed), so it is safe in the snapshot.
 *
 * Below are the few spec-internal operations other families need (the Fetch Standard's "disturbed",
 * "read all bytes", "a stream from bytes"). The polyfill keeps the spec's internal slots as `_fields`.
 */
import {
  ReadableByteStreamController,
  ReadableStream,
  ReadableStreamDefaultController,
  ReadableStreamDefaultReader,
  TransformStream,
  TransformStreamDefaultController,
} from "web-streams-polyfill";
import {
  ArrayPrototypePush,
  isInstanceOf,
  isUint8Array,
  nullProto,
  ObjectDefineProperty,
  ObjectGetPrototypeOf,
  ObjectHasOwn,
  ObjectSetPrototypeOf,
  SymbolToStringTag,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeSet,
  TypeError,
  Uint8Array,
  uncurryThis,
} from "./primordials.js";

export {
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  ReadableByteStreamController,
  ReadableStream,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableStreamDefaultController,
  ReadableStreamDefaultReader,
  TransformStream,
  TransformStreamDefaultController,
  WritableStream,
  WritableStreamDefaultController,
  WritableStreamDefaultWriter,
} from "web-streams-polyfill";

// WebIDL: a ReadableStream async iterator's prototype inherits from %AsyncIteratorPrototype% and has the
// class string "ReadableStream AsyncIterator"; the polyfill's inherits from Object.prototype.
{
  const iteratorPrototype = ObjectGetPrototypeOf(new ReadableStream().values()) as object;
  const asyncIteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf(async function* () {}).prototype);
  ObjectSetPrototypeOf(iteratorPrototype, asyncIteratorPrototype);
  ObjectDefineProperty(iteratorPrototype, SymbolToStringTag, {
    value: "ReadableStream AsyncIterator",
    configurable: true,
  });
}

/*
 * The stream methods the runtime calls, captured like the primordials: the classes are globals, so an
 * app can replace `ReadableStreamDefaultReader.prototype.read` and the like. (What the polyfill calls
 * inside itself — Object.prototype.hasOwnProperty, Object.create, Array.prototype.push — is the
 * polyfill's own business and not captured: see primordials.ts.)
 */
const getterOf = <T, R>(proto: object, key: string) =>
  uncurryThis((Object.getOwnPropertyDescriptor(proto, key) as PropertyDescriptor).get as (this: T) => R);
export const ReadableStreamPrototypeGetReader = uncurryThis(
  ReadableStream.prototype.getReader as (this: ReadableStream<unknown>) => ReadableStreamDefaultReader<unknown>,
) as <T>(self: ReadableStream<T>) => ReadableStreamDefaultReader<T>;
export const ReadableStreamPrototypeGetLocked = getterOf<ReadableStream<unknown>, boolean>(
  ReadableStream.prototype,
  "locked",
);
export const ReadableStreamPrototypeCancel = uncurryThis(ReadableStream.prototype.cancel) as (
  self: ReadableStream<unknown>,
  reason?: unknown,
) => Promise<void>;
export const ReadableStreamPrototypeTee = uncurryThis(ReadableStream.prototype.tee) as <T>(
  self: ReadableStream<T>,
) => [ReadableStream<T>, ReadableStream<T>];
export const ReadableStreamPrototypePipeThrough = uncurryThis(ReadableStream.prototype.pipeThrough) as <T, U>(
  self: ReadableStream<T>,
  transform: { readable: ReadableStream<U>; writable: import("web-streams-polyfill").WritableStream<T> },
) => ReadableStream<U>;
export const ReadableStreamDefaultReaderPrototypeRead = uncurryThis(ReadableStreamDefaultReader.prototype.read) as <T>(
  self: ReadableStreamDefaultReader<T>,
) => Promise<ReadableStreamReadResult<T>>;
export const ReadableStreamDefaultReaderPrototypeCancel = uncurryThis(ReadableStreamDefaultReader.prototype.cancel) as (
  self: ReadableStreamDefaultReader<unknown>,
  reason?: unknown,
) => Promise<void>;
export const ReadableByteStreamControllerPrototypeEnqueue = uncurryThis(
  ReadableByteStreamController.prototype.enqueue,
) as (self: ReadableByteStreamController, chunk: ArrayBufferView) => void;
export const ReadableByteStreamControllerPrototypeClose = uncurryThis(ReadableByteStreamController.prototype.close) as (
  self: ReadableByteStreamController,
) => void;
export const ReadableByteStreamControllerPrototypeError = uncurryThis(ReadableByteStreamController.prototype.error) as (
  self: ReadableByteStreamController,
  reason?: unknown,
) => void;
export const ReadableStreamDefaultControllerPrototypeEnqueue = uncurryThis(
  ReadableStreamDefaultController.prototype.enqueue,
) as <T>(self: ReadableStreamDefaultController<T>, chunk: T) => void;
export const TransformStreamDefaultControllerPrototypeEnqueue = uncurryThis(
  TransformStreamDefaultController.prototype.enqueue,
) as <T>(self: TransformStreamDefaultController<T>, chunk: T) => void;

export const TransformStreamPrototypeGetReadable = getterOf<TransformStream<unknown, unknown>, ReadableStream<unknown>>(
  TransformStream.prototype,
  "readable",
);
export const TransformStreamPrototypeGetWritable = getterOf<
  TransformStream<unknown, unknown>,
  import("web-streams-polyfill").WritableStream<unknown>
>(TransformStream.prototype, "writable");

/** A stream read's result: `done` and `value`, read as own data properties (the polyfill makes them so). */
export type ReadableStreamReadResult<T> = { done: true; value?: undefined } | { done: false; value: T };

interface StreamSlots {
  _readableStreamController?: unknown;
  _disturbed?: boolean;
}

/** The polyfill's own brand check: `instanceof` alone accepts `Object.create(ReadableStream.prototype)`. */
export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    ObjectHasOwn(value, "_readableStreamController") &&
    isInstanceOf(value, ReadableStream)
  );
}

/** https://streams.spec.whatwg.org/#is-readable-stream-disturbed */
export function isDisturbed(stream: ReadableStream<unknown>): boolean {
  return (stream as unknown as StreamSlots)._disturbed === true;
}

/** A readable byte stream over a copy of `bytes` (enqueueing transfers, so the source stays intact). */
export function byteStreamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream(
    nullProto({
      type: "bytes" as const,
      start(controller: ReadableByteStreamController) {
        if (TypedArrayPrototypeGetByteLength(bytes) > 0) {
          ReadableByteStreamControllerPrototypeEnqueue(controller, copyOf(bytes));
        }
        ReadableByteStreamControllerPrototypeClose(controller);
      },
    }),
  );
}

function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(TypedArrayPrototypeGetByteLength(bytes));
  TypedArrayPrototypeSet(out, bytes);
  return out;
}

/** A stream that is closed, locked and disturbed: the `body` of a body consumed before it was asked for. */
export function consumedStream(): ReadableStream<Uint8Array> {
  const stream = byteStreamOf(new Uint8Array(0));
  // Reading a closed stream fulfils; nothing to catch.
  void ReadableStreamDefaultReaderPrototypeRead(ReadableStreamPrototypeGetReader(stream));
  return stream;
}

/** Concatenates chunks into a new Uint8Array. */
export function concatBytes(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i] as Uint8Array;
    TypedArrayPrototypeSet(out, c, offset);
    offset += TypedArrayPrototypeGetByteLength(c);
  }
  return out;
}

/**
 * https://fetch.spec.whatwg.org/#body-fully-read via https://streams.spec.whatwg.org/#readablestreamdefaultreader-read-all-bytes:
 * locks the stream, reads to the end; a chunk that is not a Uint8Array rejects with a TypeError.
 */
export async function readAllBytes(stream: ReadableStream<unknown>): Promise<Uint8Array> {
  const reader = ReadableStreamPrototypeGetReader(stream);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const result = await ReadableStreamDefaultReaderPrototypeRead(reader);
    if (result.done) return concatBytes(chunks, total);
    const value = result.value;
    if (!isUint8Array(value)) throw new TypeError("Received a chunk that is not a Uint8Array");
    ArrayPrototypePush(chunks, value);
    total += TypedArrayPrototypeGetByteLength(value);
  }
}
