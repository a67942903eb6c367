// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://dom.spec.whatwg.org/#interface-eventtarget — EventTarget and its listener lists: add, remove,
 * dispatchEvent, and the internal operations the other event modules use.
 *
 * The global object is an EventTarget through a hidden instance whose face is `globalThis` (private
 * fields cannot be added to the global after the fact). Imports event.ts, which imports this module
 * back (see there); like event.ts, this module must not import anything that extends Event.
 */
import { DOMException, webidlInterface } from "../dom-exception.js";
import {
  ArrayPrototypeIndexOf,
  ArrayPrototypePush,
  arrayRemoveAt,
  Boolean as BooleanCtor,
  globalObject,
  SafeMap,
  TypeError,
} from "../primordials.js";
import { requireArgs, toDOMString } from "../webidl.js";
import { dispatch, type Event, isDispatching, isEvent } from "./event.js";
import type { Handler } from "./event-handlers.js";

type ListenerFn = (this: unknown, event: Event) => unknown;
type ListenerObject = { handleEvent(event: Event): unknown };
type Callback = ListenerFn | ListenerObject;

/** https://dom.spec.whatwg.org/#concept-event-listener */
export interface Listener {
  type: string;
  callback: Callback;
  capture: boolean;
  passive: boolean;
  once: boolean;
  removed: boolean;
}

interface AddEventListenerOptions {
  capture?: boolean;
  once?: boolean;
  passive?: boolean;
  signal?: unknown;
}

const realGlobal = globalObject;

/** What EventTarget needs of AbortSignal (abort.ts registers it; it imports this module). */
export interface SignalHooks {
  isSignal(value: unknown): boolean;
  aborted(signal: object): boolean;
  addAlgorithm(signal: object, algorithm: () => void): void;
}
let signalHooks: SignalHooks | null = null;
export function registerSignalHooks(hooks: SignalHooks): void {
  signalHooks = hooks;
}

/** https://webidl.spec.whatwg.org/#js-callback-interface — an EventListener is any object, or null. */
function toCallback(value: unknown, what: string): Callback | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError(`${what} is not an object`);
  return value as Callback;
}

// Internal to events/ (the barrel does not re-export them): access to EventTarget's private state for
// dispatch (event.ts) and the event handler attributes. Set by EventTarget's static block.
export let faceOf: (target: EventTarget) => object;
export let listenersOf: (target: EventTarget, type: string) => Listener[] | undefined;
export let removeListener: (target: EventTarget, listener: Listener) => void;
export let addListener: (target: EventTarget, listener: Listener, signal: object | null) => void;
export let handlersOf: (target: EventTarget) => SafeMap<string, Handler>;
let setFace: (target: EventTarget, face: object) => void;
let setWatcher: (target: EventTarget, watcher: (type: string) => void) => void;
let isEventTarget: (value: unknown) => value is EventTarget;

/** The hidden EventTarget behind the global object (made by `createGlobalTarget`); null before. */
export let globalTarget: EventTarget | null = null;

/** Internal, for `initGlobalScope`: makes the hidden instance whose face is `globalThis`. */
export function createGlobalTarget(): EventTarget {
  globalTarget = new EventTarget();
  setFace(globalTarget, realGlobal);
  return globalTarget;
}

/** WebIDL: a method on the global may be called with an undefined `this`; anything else is brand checked. */
export function targetOf(self: unknown): EventTarget {
  const value = self ?? realGlobal;
  if (value === realGlobal && globalTarget !== null) return globalTarget;
  if (!isEventTarget(value)) throw new TypeError("Illegal invocation: not an EventTarget");
  return value;
}

export class EventTarget {
  #listeners: SafeMap<string, Listener[]> | null = null;
  #handlers: SafeMap<string, Handler> | null = null;
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
      capture = BooleanCtor(dict.capture);
      once = BooleanCtor(dict.once);
      passive = BooleanCtor(dict.passive);
      const s = dict.signal;
      if (s !== undefined) {
        if (!signalHooks?.isSignal(s)) throw new TypeError("addEventListener: signal is not an AbortSignal");
        signal = s as object;
      }
    } else {
      capture = BooleanCtor(options);
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
        ? BooleanCtor((options as { capture?: boolean } | null)?.capture)
        : BooleanCtor(options);
    const list = target.#listeners?.get(typeString);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as Listener;
      if (l.callback === cb && l.capture === capture) {
        removeListener(target, l);
        return;
      }
    }
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
      target.#handlers ??= new SafeMap();
      return target.#handlers;
    };
    /** https://dom.spec.whatwg.org/#add-an-event-listener */
    addListener = (target, listener, signal) => {
      if (signal !== null && signalHooks!.aborted(signal)) return;
      target.#listeners ??= new SafeMap();
      let list = target.#listeners.get(listener.type);
      if (list === undefined) {
        list = [];
        target.#listeners.set(listener.type, list);
      }
      for (let i = 0; i < list.length; i++) {
        const l = list[i] as Listener;
        if (l.callback === listener.callback && l.capture === listener.capture) return;
      }
      ArrayPrototypePush(list, listener);
      target.#watcher?.(listener.type);
      if (signal !== null) signalHooks!.addAlgorithm(signal, () => removeListener(target, listener));
    };
    /** https://dom.spec.whatwg.org/#remove-an-event-listener */
    removeListener = (target, listener) => {
      if (listener.removed) return;
      listener.removed = true;
      const list = target.#listeners?.get(listener.type);
      const i = list ? ArrayPrototypeIndexOf(list, listener) : -1;
      if (i >= 0) arrayRemoveAt(list as Listener[], i);
      target.#watcher?.(listener.type);
    };
  }
}
webidlInterface(EventTarget, "EventTarget");

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
