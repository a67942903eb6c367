// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://dom.spec.whatwg.org/#interface-customevent — CustomEvent; and from HTML the Event subclasses
 * the runtime fires: ErrorEvent (https://html.spec.whatwg.org/multipage/webappapis.html#errorevent),
 * PromiseRejectionEvent (https://html.spec.whatwg.org/multipage/webappapis.html#promiserejectionevent)
 * and MessageEvent (https://html.spec.whatwg.org/multipage/comms.html#messageevent).
 */
import { webidlInterface } from "../dom-exception.js";
import { ArrayPrototypePush, ObjectFreeze, SymbolIterator, TypeError } from "../primordials.js";
import { dictionary, member, requireArgs, toDOMString, toUnsignedLong, toUSVString } from "../webidl.js";
import { Event, type EventInit, isDispatching } from "./event.js";

// ---- CustomEvent ----

export class CustomEvent extends Event {
  #detail: unknown;
  constructor(type: string, eventInitDict: (EventInit & { detail?: unknown }) | undefined = undefined) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "CustomEvent constructor");
    super(type, eventInitDict);
    this.#detail = dictionary(eventInitDict, "eventInitDict").detail ?? null;
  }
  get detail(): unknown {
    return this.#detail;
  }
  initCustomEvent(type: string, bubbles = false, cancelable = false, detail: unknown = null): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "initCustomEvent");
    if (isDispatching(this)) return;
    this.initEvent(type, bubbles, cancelable);
    this.#detail = detail;
  }
}
webidlInterface(CustomEvent, "CustomEvent");

// ---- ErrorEvent (HTML) ----

// Internal to events/: the brand check the event handler processing algorithm needs for `onerror`.
export let isErrorEvent: (value: unknown) => value is ErrorEvent;

export interface ErrorEventInit extends EventInit {
  message?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  error?: unknown;
}

export class ErrorEvent extends Event {
  #message: string;
  #filename: string;
  #lineno: number;
  #colno: number;
  #error: unknown;
  constructor(type: string, eventInitDict: ErrorEventInit | undefined = undefined) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "ErrorEvent constructor");
    super(type, eventInitDict);
    const init = dictionary(eventInitDict, "eventInitDict");
    // Dictionary members are read in lexicographic order.
    this.#colno = member(init, "colno", 0, toUnsignedLong);
    this.#error = init.error;
    this.#filename = member(init, "filename", "", toUSVString);
    this.#lineno = member(init, "lineno", 0, toUnsignedLong);
    this.#message = member(init, "message", "", toDOMString);
  }
  get message(): string {
    return this.#message;
  }
  get filename(): string {
    return this.#filename;
  }
  get lineno(): number {
    return this.#lineno;
  }
  get colno(): number {
    return this.#colno;
  }
  get error(): unknown {
    return this.#error;
  }
  static {
    isErrorEvent = (value): value is ErrorEvent => typeof value === "object" && value !== null && #error in value;
  }
}
webidlInterface(ErrorEvent, "ErrorEvent");

// ---- PromiseRejectionEvent (HTML) ----

export class PromiseRejectionEvent extends Event {
  #promise: object;
  #reason: unknown;
  constructor(type: string, eventInitDict: EventInit & { promise: object; reason?: unknown }) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "PromiseRejectionEvent constructor");
    super(type, eventInitDict);
    const init = dictionary(eventInitDict, "eventInitDict");
    const promise = init.promise;
    if (promise === undefined) throw new TypeError("PromiseRejectionEvent: the promise member is required");
    if ((typeof promise !== "object" && typeof promise !== "function") || promise === null) {
      throw new TypeError("PromiseRejectionEvent: promise is not an object");
    }
    this.#promise = promise;
    this.#reason = init.reason;
  }
  get promise(): object {
    return this.#promise;
  }
  get reason(): unknown {
    return this.#reason;
  }
}
webidlInterface(PromiseRejectionEvent, "PromiseRejectionEvent");

// ---- MessageEvent (HTML) ----

let isMessagePort: (value: unknown) => boolean = () => false;
/** message-channel.ts provides the MessagePort brand check MessageEvent's `source` and `ports` need. */
export function registerMessagePortBrand(check: (value: unknown) => boolean): void {
  isMessagePort = check;
}

export interface MessageEventInit extends EventInit {
  data?: unknown;
  origin?: string;
  lastEventId?: string;
  source?: object | null;
  ports?: Iterable<object>;
}

function toPorts(value: unknown): readonly object[] {
  if (value === undefined) return ObjectFreeze([]);
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as Iterable<unknown>)[SymbolIterator] !== "function"
  ) {
    throw new TypeError("MessageEvent: ports is not a sequence");
  }
  const ports: object[] = [];
  // WebIDL sequence<MessagePort>: the app's iterable, iterated as it made it.
  for (const port of value as Iterable<unknown>) {
    if (!isMessagePort(port)) throw new TypeError("MessageEvent: ports must hold MessagePorts");
    ArrayPrototypePush(ports, port as object);
  }
  return ObjectFreeze(ports);
}

function toSource(value: unknown): object | null {
  if (value === undefined || value === null) return null;
  if (!isMessagePort(value)) throw new TypeError("MessageEvent: source is not a MessagePort");
  return value as object;
}

export class MessageEvent extends Event {
  #data: unknown;
  #origin: string;
  #lastEventId: string;
  #source: object | null;
  #ports: readonly object[];
  constructor(type: string, eventInitDict: MessageEventInit | undefined = undefined) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "MessageEvent constructor");
    super(type, eventInitDict);
    const init = dictionary(eventInitDict, "eventInitDict");
    this.#data = member(init, "data", null, (v) => v);
    this.#lastEventId = member(init, "lastEventId", "", toDOMString);
    this.#origin = member(init, "origin", "", toUSVString);
    this.#ports = toPorts(init.ports);
    this.#source = toSource(init.source);
  }
  get data(): unknown {
    return this.#data;
  }
  get origin(): string {
    return this.#origin;
  }
  get lastEventId(): string {
    return this.#lastEventId;
  }
  get source(): object | null {
    return this.#source;
  }
  get ports(): readonly object[] {
    return this.#ports;
  }
  initMessageEvent(
    type: string,
    bubbles = false,
    cancelable = false,
    data: unknown = null,
    origin = "",
    lastEventId = "",
    source: object | null = null,
    ports: Iterable<object> = [],
  ): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "initMessageEvent");
    const originString = toUSVString(origin);
    const lastEventIdString = toDOMString(lastEventId);
    const sourceObject = toSource(source);
    const portList = toPorts(ports);
    if (isDispatching(this)) return;
    this.initEvent(type, bubbles, cancelable);
    this.#data = data;
    this.#origin = originString;
    this.#lastEventId = lastEventIdString;
    this.#source = sourceObject;
    this.#ports = portList;
  }
}
webidlInterface(MessageEvent, "MessageEvent");
