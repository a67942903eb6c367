// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/** https://fetch.spec.whatwg.org/#request-class */
import { type AbortSignal, createAbortSignal, dependentSignal, isAbortSignal } from "./abort.js";
import type { Blob } from "./blob.js";
import { Body, type BodyInit, consumeBody, extractBody } from "./body.js";
import type { FormData } from "./form-data.js";
import {
  Headers,
  type HeadersGuard,
  type HeadersInit,
  headersFromFlat,
  headersGet,
  headersHas,
  headersSet,
  setHeadersGuard,
} from "./headers.js";
import {
  ArrayBufferPrototypeGetByteLength,
  nullProto,
  ObjectFreeze,
  RegExp as RegExpCtor,
  regExpTest,
  String as StringCtor,
  StringPrototypeToUpperCase,
  SymbolCreate,
  safeSetOf,
  TypeError,
  Uint8Array,
} from "./primordials.js";
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
const SERIALIZED_HTTP_URL = new RegExpCtor(
  `^https?://(?:(?:${LABEL}\\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?|${OCTET}(?:\\.${OCTET}){3})` +
    "(?::(?!80/|443/)(?:[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5]))?" +
    "/[A-Za-z0-9\\-._~!$&'()*+,;=:@%/]*(?:\\?[A-Za-z0-9\\-._~!$&()*+,;=:@%/?]*)?$",
);
const UNSAFE_PART = /\/\.\.?(?:\/|\?|$)|%2e|xn--/i;
/** Marks a Request being built by `fromHost`, which sets the URL itself. */
const FROM_HOST = SymbolCreate("fromHost");

const NORMALIZED = safeSetOf(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN = safeSetOf(["CONNECT", "TRACE", "TRACK"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REDIRECT_MODES = safeSetOf<unknown>(["follow", "error", "manual"]);
/** The init of the Requests the runtime makes itself: no member an app could add to Object.prototype. */
const EMPTY_INIT: RequestInit = ObjectFreeze(nullProto({}));

/** Whether the URL parser would serialize `url` to itself (so it can skip the parser). */
function isSerializedHttpUrl(url: string): boolean {
  return regExpTest(SERIALIZED_HTTP_URL, url) && !regExpTest(UNSAFE_PART, url);
}

function normalizeMethod(method: string): string {
  if (!regExpTest(TOKEN, method)) throw new TypeError(`Invalid method: "${method}"`);
  const upper = StringPrototypeToUpperCase(method);
  if (FORBIDDEN.has(upper)) throw new TypeError(`Forbidden method: "${method}"`);
  return NORMALIZED.has(upper) ? upper : method;
}

// The runtime's access to a Request's private state (set by the class's static block).
let isRequest: (value: unknown) => value is Request;
let signalOf: (req: Request) => AbortSignal | null;
let bodyOf: (req: Request) => Body | null;
let makeFromHost: typeof requestFromHost;
let headOf: typeof requestHead;

export class Request {
  #method: string;
  #url: string;
  #headers: Headers;
  #guard: HeadersGuard = "request";
  #body: Body | null = null;
  #redirect: "follow" | "error" | "manual";
  /** Made on first read of `signal` when no signal was given. */
  #signal: AbortSignal | null = null;

  static {
    isRequest = (value): value is Request => typeof value === "object" && value !== null && #method in value;
    signalOf = (req) => req.#signal;
    headOf = (req) => ({ method: req.#method, url: req.#url, redirect: req.#redirect, headers: req.#headers });
    bodyOf = (req) => req.#body;
    makeFromHost = (method, url, headers, body) => {
      const serialized = isSerializedHttpUrl(url);
      const req = new Request(serialized ? (FROM_HOST as unknown as string) : url, nullProto({ method }));
      if (serialized) req.#url = url;
      req.#headers = headersFromFlat(headers, "immutable");
      req.#guard = "immutable";
      if (body && ArrayBufferPrototypeGetByteLength(body) > 0) req.#body = Body.fromBytes(new Uint8Array(body));
      return req;
    };
  }

  constructor(input: string | URL | Request, init: RequestInit = {}) {
    init ??= {};
    let base: Request | null = null;
    if ((input as unknown) === FROM_HOST) {
      this.#url = "";
    } else if (isRequest(input)) {
      base = input;
      this.#url = input.#url;
    } else if (typeof input === "string" && isSerializedHttpUrl(input)) {
      // Already what the parser would give (and no credentials): fetch("https://…") skips the parser.
      this.#url = input;
    } else {
      let parsed: URL;
      try {
        parsed = new URL(StringCtor(input));
      } catch {
        throw new TypeError(`Invalid URL: "${StringCtor(input)}"`);
      }
      if (parsed.username || parsed.password) throw new TypeError("Request URL must not include credentials");
      this.#url = parsed.href;
    }
    this.#method = init.method !== undefined ? normalizeMethod(StringCtor(init.method)) : base ? base.#method : "GET";
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
    if (signal) this.#signal = dependentSignal([signal]);
    this.#headers = new Headers(init.headers ?? (base ? base.#headers : undefined));
    const inputBody = base ? base.#body : null;
    const hasInitBody = init.body !== undefined && init.body !== null;
    if ((hasInitBody || inputBody !== null) && (this.#method === "GET" || this.#method === "HEAD")) {
      throw new TypeError("Request with GET/HEAD method cannot have body");
    }
    if (hasInitBody) {
      const extracted = extractBody(init.body);
      const body = extracted.body;
      const contentType = extracted.contentType;
      if (contentType && !headersHas(this.#headers, "content-type")) {
        headersSet(this.#headers, "content-type", contentType);
      }
      // A stream body (one with no byte source) must be declared half-duplex.
      if (!body.isBuffered && init.duplex === undefined) {
        throw new TypeError('A Request with a ReadableStream body requires duplex: "half"');
      }
      this.#body = body;
    } else if (inputBody !== null) {
      if (inputBody.unusable) throw new TypeError("Cannot construct a Request from one whose body was used");
      this.#body = inputBody.takeOver();
    }
    setHeadersGuard(this.#headers, "request");
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
    return await consumeBody.arrayBuffer(this.#body);
  }
  async blob(): Promise<Blob> {
    return await consumeBody.blob(this.#body, headersGet(this.#headers, "content-type"));
  }
  async bytes(): Promise<Uint8Array> {
    return await consumeBody.bytes(this.#body);
  }
  async formData(): Promise<FormData> {
    return await consumeBody.formData(this.#body, headersGet(this.#headers, "content-type"));
  }
  async json(): Promise<unknown> {
    return await consumeBody.json(this.#body);
  }
  async text(): Promise<string> {
    return await consumeBody.text(this.#body);
  }

  /** https://fetch.spec.whatwg.org/#dom-request-clone */
  clone(): Request {
    if (this.#body?.unusable) throw new TypeError("Cannot clone a Request whose body was used");
    const req = new Request(FROM_HOST as unknown as string, EMPTY_INIT);
    req.#method = this.#method;
    req.#url = this.#url;
    req.#redirect = this.#redirect;
    req.#guard = this.#guard;
    req.#headers = setHeadersGuard(new Headers(this.#headers), this.#guard);
    req.#body = this.#body === null ? null : this.#body.clone();
    req.#signal = this.#signal === null ? null : dependentSignal([this.#signal]);
    return req;
  }
}

/** What fetch sends (the private state, not the getters an app can redefine on Request.prototype). */
export function requestHead(req: Request): { method: string; url: string; redirect: string; headers: Headers } {
  return headOf(req);
}

/** The signal fetch follows: null when none was given (no signal is made for it). */
export function requestSignal(req: Request): AbortSignal | null {
  return signalOf(req);
}

/** The body fetch sends: bytes while buffered, else the stream (Body.take). */
export function takeRequestBody(req: Request): Uint8Array | null | ReadableStream<Uint8Array> {
  const body = bodyOf(req);
  return body === null ? null : body.take();
}

/** The incoming request, built from the host's flat form. */
export function requestFromHost(method: string, url: string, headers: string[], body: ArrayBuffer | null): Request {
  return makeFromHost(method, url, headers, body);
}
