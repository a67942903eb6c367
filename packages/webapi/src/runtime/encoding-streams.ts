/**
 * https://encoding.spec.whatwg.org/#interface-textdecoderstream and #interface-textencoderstream — the
 * GenericTransformStream wrappers around TextDecoder/TextEncoder. Written here rather than taken from
 * @exodus/bytes, whose versions put `readable`/`writable` on the instance and read the global
 * TransformStream at construction (an app may have replaced it).
 */
import { TextDecoder } from "./encoding.js";
import { StringPrototypeCharCodeAt, StringPrototypeSlice, uint8ArrayOf } from "./primordials.js";
import {
  TransformStreamDefaultControllerPrototypeEnqueue as enqueue,
  type ReadableStream,
  TransformStream,
  TransformStreamPrototypeGetReadable,
  TransformStreamPrototypeGetWritable,
  type WritableStream,
} from "./streams.js";
import { utf8Encode } from "./utf8.js";
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
        if (text !== "") enqueue(controller, text);
      },
      // https://encoding.spec.whatwg.org/#flush-and-enqueue
      flush(controller) {
        const text = decoder.decode();
        if (text !== "") enqueue(controller, text);
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
    return TransformStreamPrototypeGetReadable(this.#transform) as ReadableStream<string>;
  }
  get writable(): WritableStream<unknown> {
    return TransformStreamPrototypeGetWritable(this.#transform) as WritableStream<unknown>;
  }
  get [Symbol.toStringTag](): string {
    return "TextDecoderStream";
  }
}

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
        const last = StringPrototypeCharCodeAt(text, text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = StringPrototypeSlice(text, -1);
          text = StringPrototypeSlice(text, 0, -1);
        }
        if (text !== "") enqueue(controller, utf8Encode(text));
      },
      // https://encoding.spec.whatwg.org/#encode-and-flush
      flush(controller) {
        if (pending !== "") enqueue(controller, uint8ArrayOf(0xef, 0xbf, 0xbd));
      },
    });
  }
  get encoding(): string {
    // Brand check: reading the private field throws a TypeError on a foreign receiver.
    void this.#transform;
    return "utf-8";
  }
  get readable(): ReadableStream<Uint8Array> {
    return TransformStreamPrototypeGetReadable(this.#transform) as ReadableStream<Uint8Array>;
  }
  get writable(): WritableStream<unknown> {
    return TransformStreamPrototypeGetWritable(this.#transform) as WritableStream<unknown>;
  }
  get [Symbol.toStringTag](): string {
    return "TextEncoderStream";
  }
}
