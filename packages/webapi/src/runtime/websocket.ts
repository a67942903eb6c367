// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * The Workers WebSocket API (https://developers.cloudflare.com/workers/runtime-apis/websockets/):
 * `new WebSocketPair()` gives two entangled sockets; the app keeps one (`server`), calls accept() and
 * answers `new Response(null, { status: 101, webSocket: client })`. The host then stands in for the
 * client end: what the server sends goes to the host (socketSend/socketClose), what the real client
 * sends arrives through the socketMessage/socketClosed entries. Until accept(), events wait in the
 * socket's inbox; a pair used within the isolate passes messages as tasks, like MessagePort.
 */
import type { BridgeFunctions } from "../bridge-contract.js";
import { DOMException, webidlInterface } from "./dom-exception.js";
import {
  defineEventHandler,
  ErrorEvent,
  Event,
  type EventInit,
  EventTarget,
  fireEvent,
  MessageEvent,
} from "./events.js";
import {
  ArrayBufferIsView,
  ArrayPrototypePush,
  ArrayPrototypeShift,
  copyBytes,
  isArrayBuffer,
  nullProto,
  ObjectDefineProperty,
  SafeMap,
  SymbolIterator,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetLength,
  TypeError,
  Uint8Array,
  viewBytes,
} from "./primordials.js";
import { queueTask } from "./timers.js";
import { utf8Encode } from "./utf8.js";
import { dictionary, member, requireArgs, toBoolean, toUnsignedShort, toUSVString } from "./webidl.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** RFC 6455 §5.5: a close frame's payload is at most 125 bytes, two of them the code. */
const MAX_REASON_BYTES = 123;

export interface CloseEventInit extends EventInit {
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

/** https://websockets.spec.whatwg.org/#the-closeevent-interface */
export class CloseEvent extends Event {
  #code: number;
  #reason: string;
  #wasClean: boolean;
  constructor(type: string, eventInitDict: CloseEventInit | undefined = undefined) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "CloseEvent constructor");
    super(type, eventInitDict);
    const init = dictionary(eventInitDict, "eventInitDict");
    this.#code = member(init, "code", 0, (v) => toUnsignedShort(v, "CloseEventInit.code"));
    this.#reason = member(init, "reason", "", toUSVString);
    this.#wasClean = member(init, "wasClean", false, toBoolean);
  }
  get code(): number {
    return this.#code;
  }
  get reason(): string {
    return this.#reason;
  }
  get wasClean(): boolean {
    return this.#wasClean;
  }
}
webidlInterface(CloseEvent, "CloseEvent");

type Inbound =
  | { close: false; data: string | ArrayBuffer }
  | { close: true; code: number; reason: string; clean: boolean };
type Host = Pick<BridgeFunctions, "socketSend" | "socketClose">;

/** The host's functions, bound once per isolate (setWebSocketHost); null until then. */
let host: Host | null = null;
/** Server ends whose peer is the host, by the host's socket id. */
const byHostId = new SafeMap<number, WebSocket>();
let constructing = false;
let internals: {
  create(): WebSocket;
  link(a: WebSocket, b: WebSocket): void;
  isSocket(value: unknown): value is WebSocket;
  checkHandOff(ws: WebSocket): void;
  handOff(client: WebSocket, hostId: number): void;
  receive(ws: WebSocket, message: Inbound): void;
  fromHost(hostId: number): WebSocket;
};

/** RFC 6455 §7.4: the codes an endpoint may send in a close frame. */
function sendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** A message's payload as it crosses: a string, or a copy of the bytes in a buffer of their own. */
function toPayload(data: unknown): string | ArrayBuffer {
  if (typeof data === "string") return toUSVString(data);
  if (isArrayBuffer(data)) return TypedArrayPrototypeGetBuffer(copyBytes(new Uint8Array(data)));
  if (ArrayBufferIsView(data)) return TypedArrayPrototypeGetBuffer(copyBytes(viewBytes(data as ArrayBufferView)));
  return toUSVString(data);
}

export class WebSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  // On the prototype and the `on…` handlers (defined below the class), typed here.
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;
  declare onmessage: ((event: MessageEvent) => unknown) | null;
  declare onclose: ((event: CloseEvent) => unknown) | null;
  declare onerror: ((event: ErrorEvent) => unknown) | null;
  declare onopen: ((event: Event) => unknown) | null;

  #state = OPEN;
  #accepted = false;
  /** The client end was given to a Response: the host holds it now. */
  #handedOff = false;
  /** The other end within this isolate, until it is handed to the host. */
  #peer: WebSocket | null = null;
  /** The host's id for this socket's peer (0: the peer is in the isolate). */
  #hostId = 0;
  #closeSent = false;
  /** Events that arrived before accept(). */
  #inbox: Inbound[] = [];

  constructor() {
    if (!constructing)
      throw new TypeError("WebSocket cannot be constructed here: use new WebSocketPair() or fetch() with Upgrade");
    super();
  }

  get readyState(): number {
    return this.#state;
  }
  get url(): string | null {
    return null;
  }
  get protocol(): string {
    return "";
  }
  get extensions(): string {
    return "";
  }
  get binaryType(): string {
    return "arraybuffer";
  }

  /** Starts delivering events (those queued so far each as a task of its own). */
  accept(): void {
    if (this.#handedOff) throw new TypeError("a WebSocket given to a Response cannot be accepted");
    if (this.#accepted) return;
    this.#accepted = true;
    for (let i = 0; i < this.#inbox.length; i++) queueTask(() => this.#deliverNext());
  }

  send(message: string | ArrayBuffer | ArrayBufferView): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "WebSocket.send");
    if (!this.#accepted) throw new TypeError("You must call accept() on this WebSocket before sending messages.");
    if (this.#closeSent || this.#state === CLOSED) throw new TypeError("Can't call WebSocket send() after close().");
    const payload = toPayload(message);
    if (this.#hostId !== 0) {
      const error = (host as Host).socketSend(this.#hostId, payload);
      if (error !== "") throw new TypeError(error);
      return;
    }
    if (this.#peer !== null) this.#peer.#receive({ close: false, data: payload });
  }

  close(code: number | undefined = undefined, reason: string | undefined = undefined): void {
    let c = 1005;
    if (code !== undefined) {
      c = toUnsignedShort(code, "WebSocket.close code", { clamp: true });
      if (!sendableCode(c)) throw new DOMException(`invalid WebSocket close code ${c}`, "InvalidAccessError");
    }
    const r = reason === undefined ? "" : toUSVString(reason);
    if (TypedArrayPrototypeGetLength(utf8Encode(r)) > MAX_REASON_BYTES)
      throw new DOMException(`a close reason is at most ${MAX_REASON_BYTES} bytes of UTF-8`, "SyntaxError");
    if (this.#handedOff) throw new TypeError("a WebSocket given to a Response cannot be closed");
    if (this.#closeSent || this.#state === CLOSED) return;
    this.#closeSent = true;
    this.#state = CLOSING;
    if (this.#hostId !== 0) (host as Host).socketClose(this.#hostId, c === 1005 ? 1000 : c, r);
    else if (this.#peer !== null) this.#peer.#receive({ close: true, code: c, reason: r, clean: true });
  }

  /** Something arrived from the peer: delivered now when accepted (queued behind earlier ones), else kept. */
  #receive(message: Inbound): void {
    ArrayPrototypePush(this.#inbox, message);
    if (this.#accepted) queueTask(() => this.#deliverNext());
  }

  /** A message or close from the host: dispatched within the host's entry (it is that entry's work). */
  #receiveFromHost(message: Inbound): void {
    if (!this.#accepted || this.#inbox.length > 0) {
      this.#receive(message);
      return;
    }
    this.#dispatch(message);
  }

  #deliverNext(): void {
    const message = ArrayPrototypeShift(this.#inbox);
    if (message !== undefined) this.#dispatch(message);
  }

  #dispatch(message: Inbound): void {
    if (this.#state === CLOSED) return;
    if (!message.close) {
      // Null-prototype inits: an app's getters on Object.prototype must not reach the events it is given.
      fireEvent(this, new MessageEvent("message", nullProto({ data: message.data })));
      return;
    }
    this.#state = CLOSED;
    if (this.#hostId !== 0) byHostId.delete(this.#hostId);
    // A close from a peer in the isolate is answered with the same close, as a WebSocket endpoint does.
    const peer = this.#peer;
    if (!this.#closeSent && peer !== null && this.#hostId === 0) {
      this.#closeSent = true;
      peer.#receive({ close: true, code: message.code, reason: message.reason, clean: true });
    }
    if (!message.clean) fireEvent(this, new ErrorEvent("error", nullProto({ message: message.reason })));
    const init = nullProto({ code: message.code, reason: message.reason, wasClean: message.clean });
    fireEvent(this, new CloseEvent("close", init));
  }

  static {
    internals = {
      create() {
        constructing = true;
        try {
          return new WebSocket();
        } finally {
          constructing = false;
        }
      },
      link(a, b) {
        a.#peer = b;
        b.#peer = a;
      },
      isSocket: (value): value is WebSocket => typeof value === "object" && value !== null && #state in value,
      checkHandOff(ws) {
        if (ws.#handedOff) throw new TypeError("this WebSocket was already given to a Response");
        if (ws.#accepted)
          throw new TypeError("an accepted WebSocket cannot be given to a Response: give the other end");
        if (ws.#peer === null || ws.#hostId !== 0 || ws.#state === CLOSED)
          throw new TypeError("only one end of a new WebSocketPair can be given to a Response");
      },
      handOff(client, hostId) {
        client.#handedOff = true;
        const server = client.#peer as WebSocket;
        client.#peer = null;
        server.#peer = null;
        const queued = client.#inbox;
        client.#inbox = [];
        if (hostId === 0) {
          // The host refused the socket (the request had already failed): the server end is closed.
          server.#receive({ close: true, code: 1006, reason: "the WebSocket was not opened", clean: false });
          return;
        }
        server.#hostId = hostId;
        byHostId.set(hostId, server);
        // What the server sent before the response goes out first, in order.
        for (let i = 0; i < queued.length; i++) {
          const m = queued[i] as Inbound;
          if (m.close) (host as Host).socketClose(hostId, m.code === 1005 ? 1000 : m.code, m.reason);
          else if ((host as Host).socketSend(hostId, m.data) !== "") {
            // More than the host holds for a client (its unsent bound): the rest is not dropped silently,
            // the socket closes with 1009 and the app's end is closing.
            if (server.#state !== CLOSED) {
              server.#closeSent = true;
              server.#state = CLOSING;
            }
            (host as Host).socketClose(hostId, 1009, "the app sent too much before its WebSocket opened");
            break;
          }
        }
      },
      receive(ws, message) {
        ws.#receiveFromHost(message);
      },
      fromHost(hostId) {
        const ws = internals.create();
        ws.#hostId = hostId;
        byHostId.set(hostId, ws);
        return ws;
      },
    };
  }
}
webidlInterface(WebSocket, "WebSocket");
for (const [name, value] of [
  ["CONNECTING", CONNECTING],
  ["OPEN", OPEN],
  ["CLOSING", CLOSING],
  ["CLOSED", CLOSED],
] as const) {
  ObjectDefineProperty(WebSocket.prototype, name, { value, enumerable: true });
}
defineEventHandler(WebSocket.prototype, "message");
defineEventHandler(WebSocket.prototype, "close");
defineEventHandler(WebSocket.prototype, "error");
defineEventHandler(WebSocket.prototype, "open");

/** `new WebSocketPair()`: `{ 0: client, 1: server }`, also iterable as `[client, server]`. */
export class WebSocketPair {
  declare 0: WebSocket;
  declare 1: WebSocket;
  constructor() {
    const client = internals.create();
    const server = internals.create();
    internals.link(client, server);
    // Null-prototype descriptors: an app's `get`/`set` on Object.prototype would make a plain one invalid.
    ObjectDefineProperty(this, 0, nullProto({ value: client, enumerable: true }));
    ObjectDefineProperty(this, 1, nullProto({ value: server, enumerable: true }));
  }
  *[SymbolIterator](): Generator<WebSocket> {
    yield this[0];
    yield this[1];
  }
}
webidlInterface(WebSocketPair, "WebSocketPair");

/** Binds the host's socket functions (once per isolate, at init). */
export function setWebSocketHost(functions: Host): void {
  host = functions;
}

export function isWebSocket(value: unknown): value is WebSocket {
  return internals.isSocket(value);
}

/** Throws unless `ws` is a fresh, unaccepted end of a pair: what a 101 Response may carry. */
export function checkWebSocketHandOff(ws: WebSocket): void {
  internals.checkHandOff(ws);
}

/** The host took `client` (its socket `hostId`; 0: refused): the server end now talks to the host. */
export function handOffWebSocket(client: WebSocket, hostId: number): void {
  internals.handOff(client, hostId);
}

/** An outbound WebSocket the host opened (socket `hostId`): the app accept()s it like a pair's end. */
export function webSocketFromHost(hostId: number): WebSocket {
  return internals.fromHost(hostId);
}

/** Entry: a message from the real client of host socket `hostId`. */
export function socketMessage(hostId: number, data: unknown): void {
  const ws = byHostId.get(hostId);
  if (ws === undefined || (typeof data !== "string" && !isArrayBuffer(data))) return;
  internals.receive(ws, { close: false, data });
}

/** Entry: host socket `hostId` closed (the client's close frame, or the connection was lost). */
export function socketClosed(hostId: number, code: number, reason: string, clean: boolean): void {
  const ws = byHostId.get(hostId);
  if (ws === undefined) return;
  byHostId.delete(hostId);
  // Not String(): app code has run, and the runtime never calls a built-in the app can replace.
  internals.receive(ws, { close: true, code, reason: typeof reason === "string" ? reason : "", clean: clean === true });
}
