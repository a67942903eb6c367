/** https://fetch.spec.whatwg.org/#request-class */
import { BodyHolder, type BodyInit, extractBody } from "./body.js";
import { Headers, type HeadersInit } from "./headers.js";
import { URL } from "./url.js";

export interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit;
  redirect?: "follow" | "error" | "manual";
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
  #body: BodyHolder;
  #redirect: "follow" | "error" | "manual";

  constructor(input: string | URL | Request, init: RequestInit = {}) {
    let base: Request | null = null;
    if ((input as unknown) === FROM_HOST) {
      this.#url = "";
    } else if (input instanceof Request) {
      base = input;
      this.#url = input.#url;
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
    this.#redirect = init.redirect ?? (base ? base.#redirect : "follow");
    this.#headers = new Headers(init.headers ?? (base ? base.#headers : undefined));
    const hasInitBody = init.body !== undefined && init.body !== null;
    if ((hasInitBody || (base && !base.#body.isNull)) && (this.#method === "GET" || this.#method === "HEAD")) {
      throw new TypeError("Request with GET/HEAD method cannot have body");
    }
    if (hasInitBody) {
      const { bytes, contentType } = extractBody(init.body);
      if (contentType && !this.#headers.has("content-type")) this.#headers.set("content-type", contentType);
      this.#body = new BodyHolder(bytes);
    } else if (base) {
      if (base.bodyUsed) throw new TypeError("Cannot construct a Request with a used body");
      this.#body = new BodyHolder(base.#body.isNull ? null : base.#body.consume());
    } else {
      this.#body = new BodyHolder(null);
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
  get bodyUsed(): boolean {
    return this.#body.used;
  }
  get [Symbol.toStringTag](): string {
    return "Request";
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
  clone(): Request {
    if (this.bodyUsed) throw new TypeError("Cannot clone a Request whose body was used");
    const bytes = this.#body.peek();
    return new Request(this.#url, {
      method: this.#method,
      headers: this.#headers,
      body: bytes ? bytes.slice() : null,
      redirect: this.#redirect,
    });
  }

  /** @internal builds the incoming request from the host's flat form. */
  static fromHost(method: string, url: string, headers: string[], body: ArrayBuffer | null): Request {
    const serialized = SERIALIZED_HTTP_URL.test(url) && !UNSAFE_PART.test(url);
    const req = new Request(serialized ? (FROM_HOST as unknown as string) : url, { method });
    if (serialized) req.#url = url;
    req.#headers = Headers.fromFlat(headers, "immutable");
    req.#body = new BodyHolder(body && body.byteLength > 0 ? new Uint8Array(body) : null);
    return req;
  }
}
