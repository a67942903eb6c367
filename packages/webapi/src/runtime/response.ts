/** https://fetch.spec.whatwg.org/#response-class */
import { BodyHolder, type BodyInit, extractBody } from "./body.js";
import { TextEncoder } from "./encoding.js";
import { Headers, type HeadersInit } from "./headers.js";
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
  #body: BodyHolder;
  #type: ResponseType = "default";

  constructor(body: BodyInit = null, init: ResponseInit = {}) {
    const status = init.status === undefined ? 200 : Number(init.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Response status must be between 200 and 599, got ${init.status}`);
    }
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (!REASON_PHRASE.test(statusText)) throw new TypeError("Invalid statusText");
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = new Headers(init.headers);
    if (body !== null && body !== undefined) {
      if (NULL_BODY_STATUS.has(status)) throw new TypeError(`Response with status ${status} cannot have a body`);
      const { bytes, contentType } = extractBody(body);
      if (contentType && !this.#headers.has("content-type")) this.#headers.set("content-type", contentType);
      this.#body = new BodyHolder(bytes);
    } else {
      this.#body = new BodyHolder(null);
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
    return res;
  }

  static error(): Response {
    const res = new Response(null, { status: 200 });
    res.#status = 0;
    res.#type = "error";
    Headers.setGuard(res.#headers, "immutable");
    return res;
  }

  get type(): ResponseType {
    return this.#type;
  }
  get url(): string {
    return "";
  }
  get redirected(): boolean {
    return false;
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
  get bodyUsed(): boolean {
    return this.#body.used;
  }
  get [Symbol.toStringTag](): string {
    return "Response";
  }
  text(): Promise<string> {
    return this.#body.text();
  }
  json(): Promise<unknown> {
    return this.#body.json();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#body.arrayBuffer();
  }
  bytes(): Promise<Uint8Array> {
    return this.#body.bytes();
  }
  clone(): Response {
    if (this.bodyUsed) throw new TypeError("Cannot clone a Response whose body was used");
    const res = new Response(null, { headers: this.#headers });
    res.#status = this.#status;
    res.#statusText = this.#statusText;
    res.#type = this.#type;
    const bytes = this.#body.peek();
    res.#body = new BodyHolder(bytes ? bytes.slice() : null);
    return res;
  }

  /** @internal the body bytes for the host, consuming the body. */
  static takeBody(res: Response): Uint8Array | null {
    if (res.#body.isNull) return null;
    return res.#body.consume();
  }
}
