// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/** https://fetch.spec.whatwg.org/#request-class */
import { type AbortSignal, createAbortSignal, dependentSignal } from "./abort.js";
import type { Blob } from "./blob.js";
import { Body, consumeBody, extractBody } from "./body.js";
import type { FormData } from "./form-data.js";
import {
  fillHeaders,
  Headers,
  type HeadersGuard,
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
  regExpTest,
  StringPrototypeToUpperCase,
  SymbolCreate,
  safeSetOf,
  TypeError,
  Uint8Array,
} from "./primordials.js";
import {
  convertRequestInit,
  type ReferrerPolicy,
  type RequestCache,
  type RequestCredentials,
  type RequestInit,
  type RequestMode,
  type RequestPriority,
  type RequestRedirect,
} from "./request-init.js";
import type { ReadableStream } from "./streams.js";
import { isSerializedHttpUrl, URL } from "./url.js";
import { requireArgs, toUSVString } from "./webidl.js";

export type { RequestInit } from "./request-init.js";

/** Marks a Request being built by `fromHost`, which sets the URL itself. */
const FROM_HOST = SymbolCreate("fromHost");

const NORMALIZED = safeSetOf(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN = safeSetOf(["CONNECT", "TRACE", "TRACK"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CORS_SAFELISTED_METHODS = safeSetOf(["GET", "HEAD", "POST"]);
/** The init of the Requests the runtime makes itself: no member an app could add to Object.prototype. */
const EMPTY_INIT: RequestInit = ObjectFreeze(nullProto({}));

/**
 * https://fetch.spec.whatwg.org/#dom-request step 14: "" is no referrer, about:client the default;
 * any other URL is kept (a server has no origin of its own for it to be cross-origin to).
 */
function parseReferrer(value: string): string {
  if (value === "") return "no-referrer";
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TypeError(`Invalid referrer URL: "${value}"`);
  }
  const href = parsed.href;
  return href === "about:client" ? "client" : href;
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
let optionsOf: typeof requestOptions;

export class Request {
  #method: string;
  #url: string;
  #headers: Headers;
  #guard: HeadersGuard = "request";
  #body: Body | null = null;
  #redirect: RequestRedirect = "follow";
  /** Made on first read of `signal` when no signal was given. */
  #signal: AbortSignal | null = null;
  // https://fetch.spec.whatwg.org/#concept-request: the rest of the request's state, with its defaults.
  #mode: RequestMode = "cors";
  #credentials: RequestCredentials = "same-origin";
  #cache: RequestCache = "default";
  #integrity = "";
  #keepalive = false;
  #priority: RequestPriority = "auto";
  /** "client", "no-referrer" or a serialized URL. */
  #referrer = "client";
  #referrerPolicy: ReferrerPolicy = "";
  #reloadNavigation = false;
  #historyNavigation = false;
  /** Cloudflare's `request.cf`: the incoming request's (made by the ingress); copied by `new Request(req)`. */
  #cf: Record<string, unknown> | undefined = undefined;

  static {
    isRequest = (value): value is Request => typeof value === "object" && value !== null && #method in value;
    signalOf = (req) => req.#signal;
    headOf = (req) => ({ method: req.#method, url: req.#url, redirect: req.#redirect, headers: req.#headers });
    optionsOf = (req) => ({
      cache: req.#cache,
      credentials: req.#credentials,
      integrity: req.#integrity,
      keepalive: req.#keepalive,
      mode: req.#mode,
    });
    bodyOf = (req) => req.#body;
    makeFromHost = (method, url, headers, body, cf) => {
      const serialized = isSerializedHttpUrl(url);
      const req = new Request(serialized ? (FROM_HOST as unknown as string) : url, nullProto({ method }));
      if (serialized) req.#url = url;
      req.#headers = headersFromFlat(headers, "immutable");
      req.#guard = "immutable";
      req.#cf = cf;
      if (body && ArrayBufferPrototypeGetByteLength(body) > 0) req.#body = Body.fromBytes(new Uint8Array(body));
      return req;
    };
  }

  /** https://fetch.spec.whatwg.org/#dom-request */
  constructor(input: string | URL | Request, init: RequestInit = {}) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Request constructor");
    // WebIDL converts the arguments first: RequestInfo, then the RequestInit dictionary.
    const fromHost = (input as unknown) === FROM_HOST;
    const base = !fromHost && isRequest(input) ? input : null;
    const inputUrl = fromHost || base !== null ? "" : toUSVString(input);
    const opts = convertRequestInit(init);
    // Step 5: a URL string (the server has no base URL: it must be absolute, without credentials).
    let fallbackMode: RequestMode | null = "cors";
    if (fromHost) {
      this.#url = "";
    } else if (base !== null) {
      this.#url = base.#url;
      fallbackMode = null;
      this.#copyOptions(base);
    } else if (isSerializedHttpUrl(inputUrl)) {
      // Already what the parser would give (and no credentials): fetch("https://…") skips the parser.
      this.#url = inputUrl;
    } else {
      let parsed: URL;
      try {
        parsed = new URL(inputUrl);
      } catch {
        throw new TypeError(`Invalid URL: "${inputUrl}"`);
      }
      if (parsed.username || parsed.password) throw new TypeError("Request URL must not include credentials");
      this.#url = parsed.href;
    }
    // Step 13: any init member resets what belonged to the input's navigation and referrer.
    if (opts.any) {
      if (this.#mode === "navigate") this.#mode = "same-origin";
      this.#reloadNavigation = false;
      this.#historyNavigation = false;
      this.#referrer = "client";
      this.#referrerPolicy = "";
    }
    if (opts.referrer !== undefined) this.#referrer = parseReferrer(opts.referrer);
    if (opts.referrerPolicy !== undefined) this.#referrerPolicy = opts.referrerPolicy;
    // Steps 16-18.
    const mode = opts.mode ?? fallbackMode;
    if (mode === "navigate") throw new TypeError('A Request\'s mode cannot be "navigate"');
    if (mode !== null) this.#mode = mode;
    if (opts.credentials !== undefined) this.#credentials = opts.credentials;
    if (opts.cache !== undefined) this.#cache = opts.cache;
    if (this.#cache === "only-if-cached" && this.#mode !== "same-origin") {
      throw new TypeError('cache "only-if-cached" needs mode "same-origin"');
    }
    if (opts.redirect !== undefined) this.#redirect = opts.redirect;
    if (opts.integrity !== undefined) this.#integrity = opts.integrity;
    if (opts.keepalive !== undefined) this.#keepalive = opts.keepalive;
    this.#method = opts.method !== undefined ? normalizeMethod(opts.method) : base ? base.#method : "GET";
    if (opts.priority !== undefined) this.#priority = opts.priority;
    // https://fetch.spec.whatwg.org/#dom-request steps 29-30: this request's signal follows the given one.
    const signal = opts.signal !== undefined ? opts.signal : base ? base.#signal : null;
    if (signal) this.#signal = dependentSignal([signal]);
    // Step 31 (the "request-no-cors" guard is not applied: see the README).
    if (this.#mode === "no-cors" && !CORS_SAFELISTED_METHODS.has(this.#method)) {
      throw new TypeError(`A "no-cors" Request's method must be GET, HEAD or POST, not "${this.#method}"`);
    }
    // Step 32.
    if (opts.headers !== undefined) {
      this.#headers = new Headers();
      fillHeaders(this.#headers, opts.headers);
    } else {
      this.#headers = new Headers(base ? base.#headers : undefined);
    }
    // Steps 33-41: the body.
    const inputBody = base ? base.#body : null;
    const initBody = opts.body;
    const hasInitBody = initBody !== undefined && initBody !== null;
    if ((hasInitBody || inputBody !== null) && (this.#method === "GET" || this.#method === "HEAD")) {
      throw new TypeError("Request with GET/HEAD method cannot have body");
    }
    if (hasInitBody) {
      const extracted = extractBody(initBody);
      const body = extracted.body;
      const contentType = extracted.contentType;
      if (this.#keepalive && !body.isBuffered) throw new TypeError("A keepalive Request cannot have a stream body");
      if (contentType && !headersHas(this.#headers, "content-type")) {
        headersSet(this.#headers, "content-type", contentType);
      }
      // A stream body (one with no byte source) must be declared half-duplex, and be CORS-mode.
      if (!body.isBuffered) {
        if (opts.duplex === undefined) {
          throw new TypeError('A Request with a ReadableStream body requires duplex: "half"');
        }
        if (this.#mode !== "same-origin" && this.#mode !== "cors") {
          throw new TypeError('A Request with a ReadableStream body needs mode "cors" or "same-origin"');
        }
      }
      this.#body = body;
    } else if (inputBody !== null) {
      if (inputBody.unusable) throw new TypeError("Cannot construct a Request from one whose body was used");
      this.#body = inputBody.takeOver();
    }
    setHeadersGuard(this.#headers, "request");
  }

  /** Copies the options a new Request takes from its input Request (step 12's "new request"). */
  #copyOptions(from: Request): void {
    this.#redirect = from.#redirect;
    this.#mode = from.#mode;
    this.#credentials = from.#credentials;
    this.#cache = from.#cache;
    this.#integrity = from.#integrity;
    this.#keepalive = from.#keepalive;
    this.#priority = from.#priority;
    this.#referrer = from.#referrer;
    this.#referrerPolicy = from.#referrerPolicy;
    this.#reloadNavigation = from.#reloadNavigation;
    this.#historyNavigation = from.#historyNavigation;
    this.#cf = from.#cf;
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
  get redirect(): RequestRedirect {
    return this.#redirect;
  }
  get destination(): "" {
    void this.#method;
    return "";
  }
  get referrer(): string {
    const referrer = this.#referrer;
    return referrer === "no-referrer" ? "" : referrer === "client" ? "about:client" : referrer;
  }
  get referrerPolicy(): ReferrerPolicy {
    return this.#referrerPolicy;
  }
  get mode(): RequestMode {
    return this.#mode;
  }
  get credentials(): RequestCredentials {
    return this.#credentials;
  }
  get cache(): RequestCache {
    return this.#cache;
  }
  get integrity(): string {
    return this.#integrity;
  }
  get keepalive(): boolean {
    return this.#keepalive;
  }
  get isReloadNavigation(): boolean {
    return this.#reloadNavigation;
  }
  get isHistoryNavigation(): boolean {
    return this.#historyNavigation;
  }
  /** https://developers.cloudflare.com/workers/runtime-apis/request/#incomingrequestcfproperties */
  get cf(): Record<string, unknown> | undefined {
    return this.#cf;
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
    req.#copyOptions(this);
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

/** The options fetch acts on (the private state, not the getters an app can redefine). */
export function requestOptions(req: Request): {
  cache: RequestCache;
  credentials: RequestCredentials;
  integrity: string;
  keepalive: boolean;
  mode: RequestMode;
} {
  return optionsOf(req);
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

/** The incoming request, built from the host's flat form, with its `cf` object. */
export function requestFromHost(
  method: string,
  url: string,
  headers: string[],
  body: ArrayBuffer | null,
  cf?: Record<string, unknown>,
): Request {
  return makeFromHost(method, url, headers, body, cf);
}
