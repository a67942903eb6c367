/** https://fetch.spec.whatwg.org/#request-class */
import { AbortSignal, createAbortSignal, isAbortSignal } from "./abort.js";
import type { Blob } from "./blob.js";
import { Body, type BodyInit, consumeBody, extractBody } from "./body.js";
import type { FormData } from "./form-data.js";
import { Headers, type HeadersGuard, type HeadersInit } from "./headers.js";
import type { ReadableStream } from "./streams.js";
import { URL } from "./url.js";

export interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit;
  redirect?: "follow" | "error" | "manual";
  duplex?: "half";
  signal?: AbortSignal | null;
}

/**
 * An http(s) URL the URL parser would serialize to itself, so the host's URL can skip the parser
 * (~20 µs). Conservative: lower-case host whose last label starts with a letter (no IPv4 forms), or a
 * canonical dotted quad; no default or out-of-range port; path and query only of characters that
 * need no percent-encoding; no dot segments, no fragment, no IDNA labels.
 */
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const SERIALIZED_HTTP_URL = new RegExp(
  `^https?://(?:(?:${LABEL}\\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?|${OCTET}(?:\\.${OCTET}){3})` +
    "(?::(?!80/|443/)(?:[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5]))?" +
    "/[A-Za-z0-9\\-._~!$&'()*+,;=:@%/]*(?:\\?[A-Za-z0-9\\-._~!$&()*+,;=:@%/?]*)?$",
);
const UNSAFE_PART = /\/\.\.?(?:\/|\?|$)|%2e|xn--/i;
/** Marks a Request being built by `fromHost`, which sets the URL itself. */
const FROM_HOST = Symbol("fromHost");

const NORMALIZED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REDIRECT_MODES = new Set<unknown>(["follow", "error", "manual"]);

function normalizeMethod(method: string): string {
  if (!TOKEN.test(method)) throw new TypeError(`Invalid method: "${method}"`);
  const upper = method.toUpperCase();
  if (FORBIDDEN.has(upper)) throw new TypeError(`Forbidden method: "${method}"`);
  return NORMALIZED.has(upper) ? upper : method;
}

export class Request {
  #method: string;
  #url: string;
  #headers: Headers;
  #guard: HeadersGuard = "request";
  #body: Body | null = null;
  #redirect: "follow" | "error" | "manual";
  /** Made on first read of `signal` when no signal was given. */
  #signal: AbortSignal | null = null;

  constructor(input: string | URL | Request, init: RequestInit = {}) {
    init ??= {};
    let base: Request | null = null;
    if ((input as unknown) === FROM_HOST) {
      this.#url = "";
    } else if (input instanceof Request) {
      base = input;
      this.#url = input.#url;
    } else if (typeof input === "string" && SERIALIZED_HTTP_URL.test(input) && !UNSAFE_PART.test(input)) {
      // Already what the parser would give (and no credentials): fetch("https://…") skips the parser.
      this.#url = input;
    } else {
      let parsed: URL;
      try {
        parsed = new URL(String(input));
      } catch {
        throw new TypeError(`Invalid URL: "${String(input)}"`);
      }
      if (parsed.username || parsed.password) throw new TypeError("Request URL must not include credentials");
      this.#url = parsed.href;
    }
    this.#method = init.method !== undefined ? normalizeMethod(String(init.method)) : base ? base.#method : "GET";
    if (init.redirect !== undefined && !REDIRECT_MODES.has(init.redirect)) {
      throw new TypeError(`"${init.redirect}" is not a valid redirect mode`);
    }
    this.#redirect = init.redirect ?? (base ? base.#redirect : "follow");
    if (init.duplex !== undefined && init.duplex !== "half") throw new TypeError('duplex must be "half"');
    if (init.signal !== undefined && init.signal !== null && !isAbortSignal(init.signal)) {
      throw new TypeError("RequestInit.signal must be an AbortSignal");
    }
    // https://fetch.spec.whatwg.org/#dom-request steps 29-30: this request's signal follows the given one.
    const signal = init.signal !== undefined ? init.signal : base ? base.#signal : null;
    if (signal) this.#signal = AbortSignal.any([signal]);
    this.#headers = new Headers(init.headers ?? (base ? base.#headers : undefined));
    const inputBody = base ? base.#body : null;
    const hasInitBody = init.body !== undefined && init.body !== null;
    if ((hasInitBody || inputBody !== null) && (this.#method === "GET" || this.#method === "HEAD")) {
      throw new TypeError("Request with GET/HEAD method cannot have body");
    }
    if (hasInitBody) {
      const { body, contentType } = extractBody(init.body);
      if (contentType && !this.#headers.has("content-type")) this.#headers.set("content-type", contentType);
      // A stream body (one with no byte source) must be declared half-duplex.
      if (!body.isBuffered && init.duplex === undefined) {
        throw new TypeError('A Request with a ReadableStream body requires duplex: "half"');
      }
      this.#body = body;
    } else if (inputBody !== null) {
      if (inputBody.unusable) throw new TypeError("Cannot construct a Request from one whose body was used");
      this.#body = inputBody.takeOver();
    }
    Headers.setGuard(this.#headers, "request");
  }

  get method(): string {
    return this.#method;
  }
  get url(): string {
    return this.#url;
  }
  get headers(): Headers {
    return this.#headers;
  }
  get redirect(): string {
    return this.#redirect;
  }
  get signal(): AbortSignal {
    this.#signal ??= createAbortSignal();
    return this.#signal;
  }
  get duplex(): "half" {
    void this.#method;
    return "half";
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this.#body === null ? null : this.#body.stream;
  }
  get bodyUsed(): boolean {
    return this.#body?.disturbed ?? false;
  }
  get [Symbol.toStringTag](): string {
    return "Request";
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

  /** https://fetch.spec.whatwg.org/#dom-request-clone */
  clone(): Request {
    if (this.#body?.unusable) throw new TypeError("Cannot clone a Request whose body was used");
    const req = new Request(FROM_HOST as unknown as string);
    req.#method = this.#method;
    req.#url = this.#url;
    req.#redirect = this.#redirect;
    req.#guard = this.#guard;
    req.#headers = Headers.setGuard(new Headers(this.#headers), this.#guard);
    req.#body = this.#body === null ? null : this.#body.clone();
    req.#signal = this.#signal === null ? null : AbortSignal.any([this.#signal]);
    return req;
  }

  /** @internal the signal fetch follows: null when none was given (no signal is made for it). */
  static signalOf(req: Request): AbortSignal | null {
    return req.#signal;
  }

  /** @internal the body fetch sends: bytes while buffered, else the stream (Body.take). */
  static takeBodyOrStream(req: Request): Uint8Array | null | ReadableStream<Uint8Array> {
    return req.#body === null ? null : req.#body.take();
  }

  /** @internal builds the incoming request from the host's flat form. */
  static fromHost(method: string, url: string, headers: string[], body: ArrayBuffer | null): Request {
    const serialized = SERIALIZED_HTTP_URL.test(url) && !UNSAFE_PART.test(url);
    const req = new Request(serialized ? (FROM_HOST as unknown as string) : url, { method });
    if (serialized) req.#url = url;
    req.#headers = Headers.fromFlat(headers, "immutable");
    req.#guard = "immutable";
    if (body && body.byteLength > 0) req.#body = Body.fromBytes(new Uint8Array(body));
    return req;
  }
}
