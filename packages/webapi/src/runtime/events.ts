/**
 * https://dom.spec.whatwg.org/#events — Event, EventTarget, CustomEvent; and from HTML the event
 * classes and machinery the global scope needs: ErrorEvent, PromiseRejectionEvent, MessageEvent,
 * event handler attributes (https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes)
 * and "report an exception" (https://html.spec.whatwg.org/multipage/webappapis.html#report-an-exception).
 *
 * No target here has a parent, so an event's path is its target alone: capture listeners run, then the
 * others, both AT_TARGET. The global object is an EventTarget through a hidden instance whose face is
 * `globalThis` (private fields cannot be added to the global after the fact).
 */
import { DOMException, defineConstants, webidlInterface } from "./dom-exception.js";
import { inspect } from "./inspect.js";
import { toDOMString, toUSVString } from "./webidl.js";

type ListenerFn = (this: unknown, event: Event) => unknown;
type ListenerObject = { handleEvent(event: Event): unknown };
type Callback = ListenerFn | ListenerObject;

/** https://dom.spec.whatwg.org/#concept-event-listener */
interface Listener {
  type: string;
  callback: Callback;
  capture: boolean;
  passive: boolean;
  once: boolean;
  removed: boolean;
}

/** Event handler attribute state: https://html.spec.whatwg.org/multipage/webappapis.html#event-handlers */
interface Handler {
  value: object | null;
  listener: Listener | null;
}

export interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}

const NONE = 0;
const AT_TARGET = 2;

// The intrinsics the runtime relies on, captured before app code can replace them.
const NativePromise = Promise;
const promiseThen = Promise.prototype.then;
const realGlobal = globalThis;

// ---- hooks other modules install (they import this one, so it cannot import them) ----

let clock: () => number = () => 0;
/** performance.ts provides the clock Event.timeStamp reads. */
export function setEventClock(fn: () => number): void {
  clock = fn;
}

/** What EventTarget needs of AbortSignal (abort.ts registers it). */
export interface SignalHooks {
  isSignal(value: unknown): boolean;
  aborted(signal: object): boolean;
  addAlgorithm(signal: object, algorithm: () => void): void;
}
let signalHooks: SignalHooks | null = null;
export function registerSignalHooks(hooks: SignalHooks): void {
  signalHooks = hooks;
}

let isMessagePort: (value: unknown) => boolean = () => false;
/** message-channel.ts provides the MessagePort brand check MessageEvent's `source` and `ports` need. */
export function registerMessagePortBrand(check: (value: unknown) => boolean): void {
  isMessagePort = check;
}

// ---- WebIDL conversions ----

function requireArgs(given: number, needed: number, what: string): void {
  if (given < needed) {
    throw new TypeError(`${what}: ${needed} argument${needed > 1 ? "s" : ""} required, but only ${given} present`);
  }
}

/** https://webidl.spec.whatwg.org/#js-dictionary — undefined and null are the empty dictionary. */
function dictionary(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** Reads a dictionary member once: its default when undefined, else converted. */
function member<T>(dict: Record<string, unknown>, key: string, fallback: T, convert: (value: unknown) => T): T {
  const value = dict[key];
  return value === undefined ? fallback : convert(value);
}

/** https://webidl.spec.whatwg.org/#js-unsigned-long */
function toUnsignedLong(value: unknown): number {
  const n = +(value as number);
  if (!Number.isFinite(n)) return 0;
  const t = Math.trunc(n) % 2 ** 32;
  return t < 0 ? t + 2 ** 32 : t + 0;
}

/** https://webidl.spec.whatwg.org/#js-callback-interface — an EventListener is any object, or null. */
function toCallback(value: unknown, what: string): Callback | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError(`${what} is not an object`);
  return value as Callback;
}

// ---- Event ----

let readTrusted: (event: Event) => boolean;
/** isTrusted is [LegacyUnforgeable]: an own accessor on every instance, sharing one getter. */
const isTrustedDescriptor: PropertyDescriptor = {
  get: Object.getOwnPropertyDescriptor(
    {
      get isTrusted() {
        return readTrusted(this as unknown as Event);
      },
    },
    "isTrusted",
  )!.get,
  enumerable: true,
  configurable: false,
};

let isEvent: (value: unknown) => value is Event;
let dispatch: (target: EventTarget, event: Event, trusted: boolean, onError?: (error: unknown) => void) => boolean;
let setCanceled: (event: Event) => void;
let eventTargetOf: (event: Event) => object | null;
let isDispatching: (event: Event) => boolean;

export class Event {
  #type: string;
  #bubbles: boolean;
  #cancelable: boolean;
  #composed: boolean;
  #timeStamp: number;
  #target: object | null = null;
  #currentTarget: object | null = null;
  #phase = NONE;
  #stopPropagation = false;
  #stopImmediatePropagation = false;
  #canceled = false;
  #inPassiveListener = false;
  #dispatching = false;
  #trusted = false;

  constructor(type: string, eventInitDict: EventInit | undefined = undefined) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Event constructor");
    this.#type = toDOMString(type);
    const init = dictionary(eventInitDict, "eventInitDict");
    this.#bubbles = Boolean(init.bubbles);
    this.#cancelable = Boolean(init.cancelable);
    this.#composed = Boolean(init.composed);
    this.#timeStamp = clock();
    Object.defineProperty(this, "isTrusted", isTrustedDescriptor);
  }

  get type(): string {
    return this.#type;
  }
  get target(): object | null {
    return this.#target;
  }
  /** Legacy alias of target. */
  get srcElement(): object | null {
    return this.#target;
  }
  get currentTarget(): object | null {
    return this.#currentTarget;
  }
  /** The path is the target alone, and only while dispatching. */
  composedPath(): object[] {
    return this.#dispatching && this.#target !== null ? [this.#target] : [];
  }
  get eventPhase(): number {
    return this.#phase;
  }
  stopPropagation(): void {
    this.#stopPropagation = true;
  }
  get cancelBubble(): boolean {
    return this.#stopPropagation;
  }
  set cancelBubble(value: boolean) {
    if (value) this.#stopPropagation = true;
  }
  stopImmediatePropagation(): void {
    this.#stopPropagation = true;
    this.#stopImmediatePropagation = true;
  }
  get bubbles(): boolean {
    return this.#bubbles;
  }
  get cancelable(): boolean {
    return this.#cancelable;
  }
  get returnValue(): boolean {
    return !this.#canceled;
  }
  set returnValue(value: boolean) {
    if (!value) this.#setCanceled();
  }
  preventDefault(): void {
    this.#setCanceled();
  }
  get defaultPrevented(): boolean {
    return this.#canceled;
  }
  get composed(): boolean {
    return this.#composed;
  }
  get timeStamp(): number {
    return this.#timeStamp;
  }
  initEvent(type: string, bubbles = false, cancelable = false): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "initEvent");
    if (this.#dispatching) return;
    this.#stopPropagation = false;
    this.#stopImmediatePropagation = false;
    this.#canceled = false;
    this.#trusted = false;
    this.#target = null;
    this.#type = toDOMString(type);
    this.#bubbles = Boolean(bubbles);
    this.#cancelable = Boolean(cancelable);
  }

  /** https://dom.spec.whatwg.org/#set-the-canceled-flag */
  #setCanceled(): void {
    if (this.#cancelable && !this.#inPassiveListener) this.#canceled = true;
  }

  static {
    readTrusted = (event) => event.#trusted;
    isEvent = (value): value is Event => typeof value === "object" && value !== null && #type in value;
    setCanceled = (event) => event.#setCanceled();
    eventTargetOf = (event) => event.#currentTarget;
    isDispatching = (event) => event.#dispatching;

    /** https://dom.spec.whatwg.org/#concept-event-dispatch, for a path of one target. */
    dispatch = (target, event, trusted, onError) => {
      event.#trusted = trusted;
      event.#dispatching = true;
      const face = faceOf(target);
      event.#target = face;
      event.#phase = AT_TARGET;
      invoke(target, face, event, true, onError);
      invoke(target, face, event, false, onError);
      event.#phase = NONE;
      event.#currentTarget = null;
      event.#dispatching = false;
      event.#stopPropagation = false;
      event.#stopImmediatePropagation = false;
      return !event.#canceled;
    };

    /** https://dom.spec.whatwg.org/#concept-event-listener-invoke and inner invoke. */
    const invoke = (
      target: EventTarget,
      face: object,
      event: Event,
      capture: boolean,
      onError: ((error: unknown) => void) | undefined,
    ) => {
      if (event.#stopPropagation) return;
      event.#currentTarget = face;
      const list = listenersOf(target, event.#type);
      if (list === undefined || list.length === 0) return;
      for (const listener of list.slice()) {
        if (listener.removed || listener.capture !== capture) continue;
        if (listener.once) removeListener(target, listener);
        if (listener.passive) event.#inPassiveListener = true;
        try {
          const { callback } = listener;
          let result: unknown;
          if (typeof callback === "function") {
            result = Reflect.apply(callback, face, [event]);
          } else {
            const handleEvent = callback.handleEvent;
            if (typeof handleEvent !== "function") throw new TypeError("the listener's handleEvent is not a function");
            result = Reflect.apply(handleEvent, callback, [event]);
          }
          reportIfRejected(result);
        } catch (error) {
          (onError ?? reportException)(error);
        }
        event.#inPassiveListener = false;
        if (event.#stopImmediatePropagation) return;
      }
    };
  }
}
defineConstants(Event, { NONE: 0, CAPTURING_PHASE: 1, AT_TARGET: 2, BUBBLING_PHASE: 3 });
webidlInterface(Event, "Event");

// ---- EventTarget ----

let faceOf: (target: EventTarget) => object;
let listenersOf: (target: EventTarget, type: string) => Listener[] | undefined;
let removeListener: (target: EventTarget, listener: Listener) => void;
let addListener: (target: EventTarget, listener: Listener, signal: object | null) => void;
let handlersOf: (target: EventTarget) => Map<string, Handler>;
let setFace: (target: EventTarget, face: object) => void;
let setWatcher: (target: EventTarget, watcher: (type: string) => void) => void;
let isEventTarget: (value: unknown) => value is EventTarget;

/** The hidden EventTarget behind the global object (set by `initGlobalScope`). */
let globalTarget: EventTarget | null = null;

/** WebIDL: a method on the global may be called with an undefined `this`; anything else is brand checked. */
function targetOf(self: unknown): EventTarget {
  const value = self ?? realGlobal;
  if (value === realGlobal && globalTarget !== null) return globalTarget;
  if (!isEventTarget(value)) throw new TypeError("Illegal invocation: not an EventTarget");
  return value;
}

export class EventTarget {
  #listeners: Map<string, Listener[]> | null = null;
  #handlers: Map<string, Handler> | null = null;
  /** What listeners see as target and `this`: the instance itself, or `globalThis` for the global's. */
  #face: object | null = null;
  /** Told when a listener is added or removed (AbortSignal.any keeps listened-to signals alive). */
  #watcher: ((type: string) => void) | null = null;

  addEventListener(
    type: string,
    callback: Callback | null,
    options: boolean | AddEventListenerOptions | undefined = undefined,
  ): void {
    const target = targetOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "addEventListener");
    const typeString = toDOMString(type);
    const cb = toCallback(callback, "addEventListener's listener");
    // https://dom.spec.whatwg.org/#event-flatten-more
    let capture = false;
    let once = false;
    let passive = false;
    let signal: object | null = null;
    if ((typeof options === "object" && options !== null) || typeof options === "function") {
      const dict = options as AddEventListenerOptions;
      capture = Boolean(dict.capture);
      once = Boolean(dict.once);
      passive = Boolean(dict.passive);
      const s = dict.signal;
      if (s !== undefined) {
        if (!signalHooks?.isSignal(s)) throw new TypeError("addEventListener: signal is not an AbortSignal");
        signal = s as object;
      }
    } else {
      capture = Boolean(options);
    }
    if (cb === null) return;
    addListener(target, { type: typeString, callback: cb, capture, passive, once, removed: false }, signal);
  }

  removeEventListener(
    type: string,
    callback: Callback | null,
    options: boolean | { capture?: boolean } | undefined = undefined,
  ): void {
    const target = targetOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "removeEventListener");
    const typeString = toDOMString(type);
    const cb = toCallback(callback, "removeEventListener's listener");
    const capture =
      typeof options === "object" || typeof options === "function"
        ? Boolean((options as { capture?: boolean } | null)?.capture)
        : Boolean(options);
    const list = target.#listeners?.get(typeString);
    const found = list?.find((l) => l.callback === cb && l.capture === capture);
    if (found) removeListener(target, found);
  }

  dispatchEvent(event: Event): boolean {
    const target = targetOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "dispatchEvent");
    if (!isEvent(event)) throw new TypeError("dispatchEvent: parameter 1 is not of type 'Event'");
    // (Every Event here is initialized: there is no document.createEvent.)
    if (isDispatching(event)) throw new DOMException("the event is already being dispatched", "InvalidStateError");
    return dispatch(target, event, false);
  }

  static {
    isEventTarget = (value): value is EventTarget => typeof value === "object" && value !== null && #listeners in value;
    faceOf = (target) => target.#face ?? target;
    setFace = (target, face) => {
      target.#face = face;
    };
    setWatcher = (target, watcher) => {
      target.#watcher = watcher;
    };
    listenersOf = (target, type) => target.#listeners?.get(type);
    handlersOf = (target) => {
      target.#handlers ??= new Map();
      return target.#handlers;
    };
    /** https://dom.spec.whatwg.org/#add-an-event-listener */
    addListener = (target, listener, signal) => {
      if (signal !== null && signalHooks!.aborted(signal)) return;
      target.#listeners ??= new Map();
      let list = target.#listeners.get(listener.type);
      if (list === undefined) {
        list = [];
        target.#listeners.set(listener.type, list);
      }
      for (const l of list) if (l.callback === listener.callback && l.capture === listener.capture) return;
      list.push(listener);
      target.#watcher?.(listener.type);
      if (signal !== null) signalHooks!.addAlgorithm(signal, () => removeListener(target, listener));
    };
    /** https://dom.spec.whatwg.org/#remove-an-event-listener */
    removeListener = (target, listener) => {
      if (listener.removed) return;
      listener.removed = true;
      const list = target.#listeners?.get(listener.type);
      const i = list ? list.indexOf(listener) : -1;
      if (i >= 0) list!.splice(i, 1);
      target.#watcher?.(listener.type);
    };
  }
}
webidlInterface(EventTarget, "EventTarget");

interface AddEventListenerOptions {
  capture?: boolean;
  once?: boolean;
  passive?: boolean;
  signal?: unknown;
}

/** Whether `target` (or the global, for `globalThis`) has a listener for `type`. */
export function hasListeners(target: object, type: string): boolean {
  return (listenersOf(targetOf(target), type)?.length ?? 0) > 0;
}

/** https://dom.spec.whatwg.org/#concept-event-fire — a trusted dispatch; `onError` replaces reporting. */
export function fireEvent(target: object, event: Event, onError?: (error: unknown) => void): boolean {
  return dispatch(targetOf(target), event, true, onError);
}

/** Makes `watcher` hear of every listener added to or removed from `target`. */
export function watchListeners(target: EventTarget, watcher: (type: string) => void): void {
  setWatcher(target, watcher);
}

// ---- event handler attributes ----

/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-idl-attributes — defines
 * `on<type>` on `object` (a prototype, or the global). The listener is added when a handler is first
 * set and keeps its place when the handler changes; null removes it.
 */
export function defineEventHandler(object: object, type: string, onSet?: (target: EventTarget) => void): void {
  const name = `on${type}`;
  const accessors = {
    get [name](): unknown {
      return handlersOf(targetOf(this)).get(type)?.value ?? null;
    },
    set [name](value: unknown) {
      const target = targetOf(this);
      const handlers = handlersOf(target);
      // [LegacyTreatNonObjectAsNull]: anything but an object is null.
      const handler = (typeof value === "object" || typeof value === "function") && value !== null ? value : null;
      const slot = handlers.get(type);
      if (handler === null) {
        if (slot?.listener) removeListener(target, slot.listener);
        handlers.delete(type);
        return;
      }
      if (slot) {
        slot.value = handler;
        return;
      }
      const newSlot: Handler = { value: handler, listener: null };
      const listener: Listener = {
        type,
        callback: (event: Event) => processHandler(newSlot, event),
        capture: false,
        passive: false,
        once: false,
        removed: false,
      };
      newSlot.listener = listener;
      handlers.set(type, newSlot);
      addListener(target, listener, null);
      onSet?.(target);
    },
  };
  const descriptor = Object.getOwnPropertyDescriptor(accessors, name)!;
  Object.defineProperty(object, name, {
    get: descriptor.get,
    set: descriptor.set,
    enumerable: true,
    configurable: true,
  });
}

/** https://html.spec.whatwg.org/multipage/webappapis.html#the-event-handler-processing-algorithm */
function processHandler(slot: Handler, event: Event): void {
  const callback = slot.value;
  if (callback === null) return;
  const thisArg = eventTargetOf(event);
  const special = isErrorEvent(event) && event.type === "error" && thisArg === realGlobal;
  const args = special ? [event.message, event.filename, event.lineno, event.colno, event.error] : [event];
  // A non-callable object throws a TypeError here, which dispatch reports.
  const result = Reflect.apply(callback as (...a: unknown[]) => unknown, thisArg, args);
  if (special ? result === true : result === false) setCanceled(event);
  reportIfRejected(result);
}

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

let isErrorEvent: (value: unknown) => value is ErrorEvent;

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

export interface MessageEventInit extends EventInit {
  data?: unknown;
  origin?: string;
  lastEventId?: string;
  source?: object | null;
  ports?: Iterable<object>;
}

function toPorts(value: unknown): readonly object[] {
  if (value === undefined) return Object.freeze([]);
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError("MessageEvent: ports is not a sequence");
  }
  const ports: object[] = [];
  for (const port of value as Iterable<unknown>) {
    if (!isMessagePort(port)) throw new TypeError("MessageEvent: ports must hold MessagePorts");
    ports.push(port as object);
  }
  return Object.freeze(ports);
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

// ---- the global scope: an EventTarget that hears of errors and unhandled rejections ----

interface GlobalScopeHost {
  /** Writes one line to the app's error log. */
  logError(text: string): void;
  /** Queues a task (a separate entry into the isolate). */
  queueTask(task: () => void): void;
}

let host: GlobalScopeHost | null = null;
let inErrorReporting = false;

/**
 * Called from `__nano_init`: makes `globalThis` an EventTarget (its prototype chain reaches
 * EventTarget.prototype, its state lives in a hidden instance) with `onerror`, `onunhandledrejection`
 * and `onrejectionhandled`.
 */
export function initGlobalScope(scopeHost: GlobalScopeHost): void {
  host = scopeHost;
  globalTarget = new EventTarget();
  setFace(globalTarget, realGlobal);
  const scopeProto = Object.create(EventTarget.prototype, {
    [Symbol.toStringTag]: { value: "ServiceWorkerGlobalScope", configurable: true },
  });
  Object.setPrototypeOf(realGlobal, scopeProto);
  for (const type of ["error", "unhandledrejection", "rejectionhandled"]) defineEventHandler(realGlobal, type);
}

/** The first frame outside the runtime, for ErrorEvent's filename/lineno/colno. */
function errorLocation(error: unknown): [string, number, number] {
  let stack: unknown;
  try {
    stack = (error as { stack?: unknown } | null)?.stack;
  } catch {
    stack = undefined;
  }
  if (typeof stack === "string") {
    for (const line of stack.split("\n")) {
      const m = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
      if (m && !m[1]!.includes("nano:runtime")) return [m[1]!, Number(m[2]), Number(m[3])];
    }
  }
  return ["", 0, 0];
}

/** The value as a console shows it, without the runtime's own stack frames. */
function formatUncaught(value: unknown): string {
  return inspect(value)
    .split("\n")
    .filter((line) => !/^\s+at .*nano:runtime/.test(line))
    .join("\n");
}

function describe(error: unknown): string {
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#report-an-exception — fires a cancelable
 * ErrorEvent at the global; if no one cancels it, logs "Uncaught …". An error thrown while reporting
 * (by an error listener) is only logged.
 */
export function reportException(error: unknown): void {
  if (!inErrorReporting && globalTarget !== null) {
    const [filename, lineno, colno] = errorLocation(error);
    const event = new ErrorEvent("error", {
      cancelable: true,
      message: `Uncaught ${describe(error)}`,
      filename,
      lineno,
      colno,
      error,
    });
    inErrorReporting = true;
    let notHandled: boolean;
    try {
      notHandled = dispatch(globalTarget, event, true);
    } finally {
      inErrorReporting = false;
    }
    if (!notHandled) return;
  }
  host?.logError(`Uncaught ${formatUncaught(error)}`);
}

/** The `reportError(e)` global: https://html.spec.whatwg.org/multipage/webappapis.html#dom-reporterror */
export function reportError(e: unknown): void {
  // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
  requireArgs(arguments.length, 1, "reportError");
  reportException(e);
}

/**
 * isolated-vm gives the runtime no hook for V8's unhandled rejections (they make the entry throw, and
 * the host logs them). What the runtime can see is a promise returned by a callback it called — an
 * async timer callback, event listener or microtask — whose result no one else can reach: if that
 * rejects, it fires `unhandledrejection` (cancelable), and logs "Uncaught (in promise) …" unless canceled.
 */
export function reportIfRejected(value: unknown): void {
  if (!(value instanceof NativePromise)) return;
  Reflect.apply(promiseThen, value, [
    undefined,
    (reason: unknown) => {
      const notify = () => {
        const event = new PromiseRejectionEvent("unhandledrejection", { cancelable: true, promise: value, reason });
        if (globalTarget === null || dispatch(globalTarget, event, true)) {
          host?.logError(`Uncaught (in promise) ${formatUncaught(reason)}`);
        }
      };
      if (host) host.queueTask(notify);
      else notify();
    },
  ]);
}
