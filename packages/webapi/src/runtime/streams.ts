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
import { ReadableStream } from "web-streams-polyfill";

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
  const iteratorPrototype = Object.getPrototypeOf(new ReadableStream().values()) as object;
  const asyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  Object.setPrototypeOf(iteratorPrototype, asyncIteratorPrototype);
  Object.defineProperty(iteratorPrototype, Symbol.toStringTag, {
    value: "ReadableStream AsyncIterator",
    configurable: true,
  });
}

interface StreamSlots {
  _readableStreamController?: unknown;
  _disturbed?: boolean;
}

/** The polyfill's own brand check: `instanceof` alone accepts `Object.create(ReadableStream.prototype)`. */
export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.hasOwn(value, "_readableStreamController") &&
    value instanceof ReadableStream
  );
}

/** https://streams.spec.whatwg.org/#is-readable-stream-disturbed */
export function isDisturbed(stream: ReadableStream<unknown>): boolean {
  return (stream as unknown as StreamSlots)._disturbed === true;
}

/** A readable byte stream over a copy of `bytes` (enqueueing transfers, so the source stays intact). */
export function byteStreamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes.slice());
      controller.close();
    },
  });
}

/** A stream that is closed, locked and disturbed: the `body` of a body consumed before it was asked for. */
export function consumedStream(): ReadableStream<Uint8Array> {
  const stream = byteStreamOf(new Uint8Array(0));
  stream
    .getReader()
    .read()
    .catch(() => {});
  return stream;
}

/** Concatenates chunks into a new Uint8Array. */
export function concatBytes(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * https://fetch.spec.whatwg.org/#body-fully-read via https://streams.spec.whatwg.org/#readablestreamdefaultreader-read-all-bytes:
 * locks the stream, reads to the end; a chunk that is not a Uint8Array rejects with a TypeError.
 */
export async function readAllBytes(stream: ReadableStream<unknown>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(chunks, total);
    if (!(value instanceof Uint8Array)) throw new TypeError("Received a chunk that is not a Uint8Array");
    chunks.push(value);
    total += value.byteLength;
  }
}
