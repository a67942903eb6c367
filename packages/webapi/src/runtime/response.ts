/** https://fetch.spec.whatwg.org/#response-class */
import type { Blob } from "./blob.js";
import { type Body, type BodyInit, consumeBody, extractBody } from "./body.js";
import { TextEncoder } from "./encoding.js";
import type { FormData } from "./form-data.js";
import { Headers, type HeadersGuard, type HeadersInit } from "./headers.js";
import type { ReadableStream } from "./streams.js";
import { URL } from "./url.js";

export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
// https://httpwg.org/specs/rfc9110.html#status.line: reason-phrase = *( HTAB / SP / VCHAR / obs-text )
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

type ResponseType = "basic" | "default" | "error";

export class Response {
  #status = 200;
  #statusText = "";
  #headers: Headers;
  #guard: HeadersGuard = "response";
  #body: Body | null = null;
  #type: ResponseType = "default";
  #url = "";
  #redirected = false;

  constructor(body: BodyInit = null, init: ResponseInit = {}) {
    init ??= {};
    // The body is extracted before the init is applied (a locked stream fails before a bad status).
    const extracted = body !== null && body !== undefined ? extractBody(body) : null;
    const status = init.status === undefined ? 200 : Number(init.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Response status must be between 200 and 599, got ${init.status}`);
    }
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (!REASON_PHRASE.test(statusText)) throw new TypeError("Invalid statusText");
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = new Headers(init.headers);
    if (extracted !== null) {
      if (NULL_BODY_STATUS.has(status)) throw new TypeError(`Response with status ${status} cannot have a body`);
      const { contentType } = extracted;
      if (contentType && !this.#headers.has("content-type")) this.#headers.set("content-type", contentType);
      this.#body = extracted.body;
    }
    Headers.setGuard(this.#headers, "response");
  }

  static json(data: unknown, init: ResponseInit = {}): Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Response.json: data is not JSON-serializable");
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(new TextEncoder().encode(text), { ...init, headers });
  }

  static redirect(url: string | URL, status = 302): Response {
    const parsed = new URL(String(url));
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`Invalid redirect status: ${status}`);
    const res = new Response(null, { status, headers: { location: parsed.href } });
    Headers.setGuard(res.#headers, "immutable");
    res.#guard = "immutable";
    return res;
  }

  static error(): Response {
    const res = new Response(null, { status: 200 });
    res.#status = 0;
    res.#type = "error";
    Headers.setGuard(res.#headers, "immutable");
    res.#guard = "immutable";
    return res;
  }

  get type(): ResponseType {
    return this.#type;
  }
  get url(): string {
    return this.#url;
  }
  get redirected(): boolean {
    return this.#redirected;
  }
  get status(): number {
    return this.#status;
  }
  get ok(): boolean {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText(): string {
    return this.#statusText;
  }
  get headers(): Headers {
    return this.#headers;
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this.#body === null ? null : this.#body.stream;
  }
  get bodyUsed(): boolean {
    return this.#body?.disturbed ?? false;
  }
  get [Symbol.toStringTag](): string {
    return "Response";
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return consumeBody.arrayBuffer(this.#body);
  }
  async blob(): Promise<Blob> {
    return consumeBody.blob(this.#body, this.#headers.get("content-type"));
  }
  async bytes(): Promise<Uint8Array> {
    return consumeBody.bytes(this.#body);
  }
  async formData(): Promise<FormData> {
    return consumeBody.formData(this.#body, this.#headers.get("content-type"));
  }
  async json(): Promise<unknown> {
    return consumeBody.json(this.#body);
  }
  async text(): Promise<string> {
    return consumeBody.text(this.#body);
  }

  /** https://fetch.spec.whatwg.org/#dom-response-clone */
  clone(): Response {
    if (this.#body?.unusable) throw new TypeError("Cannot clone a Response whose body was used");
    const res = new Response(null);
    res.#status = this.#status;
    res.#statusText = this.#statusText;
    res.#type = this.#type;
    res.#url = this.#url;
    res.#redirected = this.#redirected;
    res.#guard = this.#guard;
    res.#headers = Headers.setGuard(new Headers(this.#headers), this.#guard);
    res.#body = this.#body === null ? null : this.#body.clone();
    return res;
  }

  /** @internal a fetch's response as the host reported it: any status, immutable headers. */
  static fromHost(
    status: number,
    statusText: string,
    headers: string[],
    body: Body | null,
    url: string,
    redirected: boolean,
  ): Response {
    const res = new Response(null);
    res.#status = status;
    res.#statusText = statusText;
    res.#headers = Headers.fromFlat(headers, "immutable");
    res.#guard = "immutable";
    res.#body = body;
    res.#type = "basic";
    res.#url = url;
    res.#redirected = redirected;
    return res;
  }

  /** @internal the body of the host's answer: bytes while buffered (one piece), else the stream (Body.take). */
  static takeBodyOrStream(res: Response): Uint8Array | null | ReadableStream<Uint8Array> {
    return res.#body === null ? null : res.#body.take();
  }
}
