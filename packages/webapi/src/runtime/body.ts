/**
 * https://fetch.spec.whatwg.org/#body-mixin — bodies held as bytes. Streams, Blob and FormData bodies
 * arrive with the Web-platform issue; until then the body is buffered, which is what the host sends.
 */
import { TextDecoder, TextEncoder } from "./encoding.js";
import { URLSearchParams } from "./url.js";

export type BodyInit = string | ArrayBuffer | ArrayBufferView | URLSearchParams | null | undefined;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** https://fetch.spec.whatwg.org/#concept-bodyinit-extract — bytes and the Content-Type they imply. */
export function extractBody(init: BodyInit): { bytes: Uint8Array | null; contentType: string | null } {
  if (init === null || init === undefined) return { bytes: null, contentType: null };
  if (typeof init === "string") return { bytes: encoder.encode(init), contentType: "text/plain;charset=UTF-8" };
  if (init instanceof ArrayBuffer) return { bytes: new Uint8Array(init.slice(0)), contentType: null };
  if (ArrayBuffer.isView(init)) {
    const view = new Uint8Array(init.buffer, init.byteOffset, init.byteLength);
    return { bytes: view.slice(), contentType: null };
  }
  if (init instanceof URLSearchParams) {
    return { bytes: encoder.encode(init.toString()), contentType: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  return { bytes: encoder.encode(String(init)), contentType: "text/plain;charset=UTF-8" };
}

/** The body half of Request and Response: consumption once, as text, JSON, bytes or an ArrayBuffer. */
export class BodyHolder {
  #bytes: Uint8Array | null;
  #used = false;

  constructor(bytes: Uint8Array | null) {
    this.#bytes = bytes;
  }
  get used(): boolean {
    return this.#used;
  }
  get isNull(): boolean {
    return this.#bytes === null;
  }
  /** The bytes without consuming (for the host and for clone). */
  peek(): Uint8Array | null {
    return this.#bytes;
  }
  consume(): Uint8Array {
    if (this.#used) throw new TypeError("Body has already been used");
    this.#used = true;
    return this.#bytes ?? new Uint8Array(0);
  }
  async text(): Promise<string> {
    return decoder.decode(this.consume());
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async bytes(): Promise<Uint8Array> {
    return this.consume().slice();
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.consume();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
}
