// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/** https://fetch.spec.whatwg.org/#response-class */
import type { Blob } from "./blob.js";
import { Body, type BodyInit, consumeBody, extractBody } from "./body.js";
import type { FormData } from "./form-data.js";
import {
  convertHeadersInit,
  fillHeaders,
  Headers,
  type HeadersGuard,
  type HeadersInit,
  headersFromFlat,
  headersGet,
  headersHas,
  headersSet,
  setHeadersGuard,
} from "./headers.js";
import { JSONStringify, nullProto, ObjectFreeze, RangeError, regExpTest, safeSetOf, TypeError } from "./primordials.js";
import type { ReadableStream } from "./streams.js";
import { URL } from "./url.js";
import { utf8Encode } from "./utf8.js";
import { dictionary, requireArgs, toByteString, toUnsignedShort, toUSVString } from "./webidl.js";
import { isWebSocket, type WebSocket } from "./websocket.js";

export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
  /** Workers: the client end of a WebSocketPair, with status 101. */
  webSocket?: WebSocket | null;
}

const NULL_BODY_STATUS = safeSetOf([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = safeSetOf([301, 302, 303, 307, 308]);
// https://httpwg.org/specs/rfc9110.html#status.line: reason-phrase = *( HTAB / SP / VCHAR / obs-text )
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

type ResponseType = "basic" | "default" | "error";

interface ConvertedResponseInit {
  headers?: Headers | [string, string][];
  status: number;
  statusText: string;
  webSocket: WebSocket | null;
}

/** https://fetch.spec.whatwg.org/#responseinit — members in lexicographic order, each read once. */
function convertResponseInit(value: unknown): ConvertedResponseInit {
  const dict = dictionary(value, "ResponseInit");
  const out: ConvertedResponseInit = nullProto({ status: 200, statusText: "", webSocket: null });
  const headers = dict.headers;
  if (headers !== undefined) out.headers = convertHeadersInit(headers);
  const status = dict.status;
  if (status !== undefined) out.status = toUnsignedShort(status, "ResponseInit.status");
  const statusText = dict.statusText;
  if (statusText !== undefined) out.statusText = toByteString(statusText, "ResponseInit.statusText");
  const webSocket = dict.webSocket;
  if (webSocket !== undefined && webSocket !== null) {
    if (!isWebSocket(webSocket)) throw new TypeError("ResponseInit.webSocket must be a WebSocket");
    out.webSocket = webSocket;
  }
  return out;
}

/** The init of the Responses the runtime makes itself: no member an app could add to Object.prototype. */
const EMPTY_INIT: ResponseInit = ObjectFreeze(nullProto({}));

// The runtime's access to a Response's private state (set by the class's static block): the host path
// reads these rather than the public getters, which an app can redefine on Response.prototype.
let isResponse: (value: unknown) => value is Response;
let stateOf: (res: Response) => { status: number; statusText: string; headers: Headers };
let makeFromHost: typeof responseFromHost;
let bodyOf: (res: Response) => Body | null;
let webSocketOf: (res: Response) => WebSocket | null;

export class Response {
  #status = 200;
  #statusText = "";
  #headers!: Headers;
  #guard: HeadersGuard = "response";
  #body: Body | null = null;
  #type: ResponseType = "default";
  #url = "";
  #redirected = false;
  #webSocket: WebSocket | null = null;

  /** https://fetch.spec.whatwg.org/#dom-response */
  constructor(body: BodyInit = null, init: ResponseInit = {}) {
    // WebIDL converts the init first; the body is extracted before the init is applied (a locked
    // stream fails before a bad status).
    const converted = convertResponseInit(init);
    const extracted = body !== null && body !== undefined ? extractBody(body) : null;
    this.#initialize(converted, extracted);
  }

  /** https://fetch.spec.whatwg.org/#initialize-a-response */
  #initialize(init: ConvertedResponseInit, extracted: { body: Body; contentType: string | null } | null): void {
    const status = init.status;
    // Workers: 101 Switching Protocols answers a WebSocket upgrade, and only with the socket.
    if (init.webSocket !== null && status !== 101)
      throw new RangeError("a Response with a webSocket must have status 101");
    if (status === 101 && init.webSocket === null)
      throw new RangeError("a Response with status 101 needs a webSocket (the client end of a WebSocketPair)");
    if ((status < 200 || status > 599) && status !== 101)
      throw new RangeError(`Response status must be between 200 and 599, got ${status}`);
    this.#webSocket = init.webSocket;
    if (!regExpTest(REASON_PHRASE, init.statusText)) throw new TypeError("Invalid statusText");
    this.#status = status;
    this.#statusText = init.statusText;
    this.#headers = new Headers();
    if (init.headers !== undefined) fillHeaders(this.#headers, init.headers);
    if (extracted !== null) {
      if (NULL_BODY_STATUS.has(status)) throw new TypeError(`Response with status ${status} cannot have a body`);
      const contentType = extracted.contentType;
      if (contentType && !headersHas(this.#headers, "content-type")) {
        headersSet(this.#headers, "content-type", contentType);
      }
      this.#body = extracted.body;
    }
    setHeadersGuard(this.#headers, "response");
  }

  /** https://fetch.spec.whatwg.org/#dom-response-json */
  static json(data: unknown, init: ResponseInit = {}): Response {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Response.json");
    const converted = convertResponseInit(init);
    const text = JSONStringify(data);
    if (text === undefined) throw new TypeError("Response.json: data is not JSON-serializable");
    const res = new Response(null, EMPTY_INIT);
    const extracted = { body: Body.fromBytes(utf8Encode(text)), contentType: "application/json" };
    res.#initialize(converted, extracted);
    return res;
  }

  /** https://fetch.spec.whatwg.org/#dom-response-redirect */
  static redirect(url: string | URL, status: number = 302): Response {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Response.redirect");
    const href = toUSVString(url);
    status = status === undefined ? 302 : toUnsignedShort(status, "Response.redirect status");
    let parsed: URL;
    try {
      parsed = new URL(href);
    } catch {
      throw new TypeError(`Invalid URL: "${href}"`);
    }
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`Invalid redirect status: ${status}`);
    const res = new Response(null, nullProto({ status, headers: nullProto({ location: parsed.href }) }));
    setHeadersGuard(res.#headers, "immutable");
    res.#guard = "immutable";
    return res;
  }

  static error(): Response {
    const res = new Response(null, EMPTY_INIT);
    res.#status = 0;
    res.#type = "error";
    setHeadersGuard(res.#headers, "immutable");
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
  /** Workers: the WebSocket of a 101 answer (or of an outbound upgrade), else null. */
  get webSocket(): WebSocket | null {
    return this.#webSocket;
  }
  get bodyUsed(): boolean {
    return this.#body?.disturbed ?? false;
  }
  get [Symbol.toStringTag](): string {
    return "Response";
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

  /** https://fetch.spec.whatwg.org/#dom-response-clone */
  clone(): Response {
    if (this.#body?.unusable) throw new TypeError("Cannot clone a Response whose body was used");
    if (this.#webSocket !== null) throw new TypeError("Cannot clone a Response that carries a WebSocket");
    const res = new Response(null, EMPTY_INIT);
    res.#status = this.#status;
    res.#statusText = this.#statusText;
    res.#type = this.#type;
    res.#url = this.#url;
    res.#redirected = this.#redirected;
    res.#guard = this.#guard;
    res.#headers = setHeadersGuard(new Headers(this.#headers), this.#guard);
    res.#body = this.#body === null ? null : this.#body.clone();
    return res;
  }

  static {
    isResponse = (value): value is Response => typeof value === "object" && value !== null && #status in value;
    stateOf = (res) => ({ status: res.#status, statusText: res.#statusText, headers: res.#headers });
    bodyOf = (res) => res.#body;
    webSocketOf = (res) => res.#webSocket;
    makeFromHost = (status, statusText, headers, body, url, redirected, webSocket = null) => {
      const res = new Response(null, EMPTY_INIT);
      res.#webSocket = webSocket;
      res.#status = status;
      res.#statusText = statusText;
      res.#headers = headersFromFlat(headers, "immutable");
      res.#guard = "immutable";
      res.#body = body;
      res.#type = "basic";
      res.#url = url;
      res.#redirected = redirected;
      return res;
    };
  }
}

/** A fetch's response as the host reported it: any status, immutable headers. */
export function responseFromHost(
  status: number,
  statusText: string,
  headers: string[],
  body: Body | null,
  url: string,
  redirected: boolean,
  webSocket: WebSocket | null = null,
): Response {
  return makeFromHost(status, statusText, headers, body, url, redirected, webSocket);
}

/** Brand check (not `instanceof`, which an app can fake with `Response[Symbol.hasInstance]`). */
export function isResponseObject(value: unknown): value is Response {
  return isResponse(value);
}

/** The status, status text and headers the host is handed (the private state, not the getters). */
export function responseHead(res: Response): { status: number; statusText: string; headers: Headers } {
  return stateOf(res);
}

/** The body of the host's answer: bytes while buffered (one piece), else the stream (Body.take). */
export function takeResponseBody(res: Response): Uint8Array | null | ReadableStream<Uint8Array> {
  const body = bodyOf(res);
  return body === null ? null : body.take();
}

/** The WebSocket a 101 answer carries (the private state, not the getter), or null. */
export function responseWebSocket(res: Response): WebSocket | null {
  return webSocketOf(res);
}
