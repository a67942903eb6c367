/**
 * https://encoding.spec.whatwg.org/#interface-textdecoderstream and #interface-textencoderstream — the
 * GenericTransformStream wrappers around TextDecoder/TextEncoder. Written here rather than taken from
 * @exodus/bytes, whose versions put `readable`/`writable` on the instance and read the global
 * TransformStream at construction (an app may have replaced it).
 */
import { TextDecoder, TextEncoder } from "./encoding.js";
import { type ReadableStream, TransformStream, type WritableStream } from "./streams.js";
import { bufferSourceBytes, toDOMString } from "./webidl.js";

export class TextDecoderStream {
  #decoder: TextDecoder;
  #transform: TransformStream<unknown, string>;

  constructor(label = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    // WebIDL: a null dictionary is an empty one.
    const decoder = new TextDecoder(label, options ?? {});
    this.#decoder = decoder;
    this.#transform = new TransformStream<unknown, string>({
      // https://encoding.spec.whatwg.org/#decode-and-enqueue-a-chunk
      transform(chunk, controller) {
        const text = decoder.decode(bufferSourceBytes(chunk, "TextDecoderStream chunk"), { stream: true });
        if (text !== "") controller.enqueue(text);
      },
      // https://encoding.spec.whatwg.org/#flush-and-enqueue
      flush(controller) {
        const text = decoder.decode();
        if (text !== "") controller.enqueue(text);
      },
    });
  }
  get encoding(): string {
    return this.#decoder.encoding;
  }
  get fatal(): boolean {
    return this.#decoder.fatal;
  }
  get ignoreBOM(): boolean {
    return this.#decoder.ignoreBOM;
  }
  get readable(): ReadableStream<string> {
    return this.#transform.readable;
  }
  get writable(): WritableStream<unknown> {
    return this.#transform.writable;
  }
  get [Symbol.toStringTag](): string {
    return "TextDecoderStream";
  }
}

const encoder = new TextEncoder();
const REPLACEMENT = [0xef, 0xbf, 0xbd];

export class TextEncoderStream {
  #transform: TransformStream<unknown, Uint8Array>;

  constructor() {
    // A lead surrogate that ended the previous chunk waits for its trail (encode-and-enqueue's "leading
    // surrogate"); TextEncoder turns any surrogate still unpaired into U+FFFD.
    let pending = "";
    this.#transform = new TransformStream<unknown, Uint8Array>({
      // https://encoding.spec.whatwg.org/#encode-and-enqueue-a-chunk
      transform(chunk, controller) {
        let text = pending + toDOMString(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text !== "") controller.enqueue(encoder.encode(text));
      },
      // https://encoding.spec.whatwg.org/#encode-and-flush
      flush(controller) {
        if (pending !== "") controller.enqueue(new Uint8Array(REPLACEMENT));
      },
    });
  }
  get encoding(): string {
    // Brand check: reading the private field throws a TypeError on a foreign receiver.
    void this.#transform;
    return "utf-8";
  }
  get readable(): ReadableStream<Uint8Array> {
    return this.#transform.readable;
  }
  get writable(): WritableStream<unknown> {
    return this.#transform.writable;
  }
  get [Symbol.toStringTag](): string {
    return "TextEncoderStream";
  }
}
