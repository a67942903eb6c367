// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://dom.spec.whatwg.org/#interface-event — Event, and the dispatch algorithm
 * (https://dom.spec.whatwg.org/#concept-event-dispatch), which lives here because it drives the
 * event's private state.
 *
 * No target has a parent, so an event's path is its target alone: capture listeners run, then the
 * others, both AT_TARGET.
 *
 * This module and event-target.ts import each other (dispatch reads listener lists, dispatchEvent calls
 * dispatch); neither touches the other at load time, so either may load first. Nothing that extends
 * Event may be imported here: a cycle through a subclass would run `extends Event` before Event exists.
 */
import { defineConstants, webidlInterface } from "../dom-exception.js";
import {
  arrayCopy,
  Boolean as BooleanCtor,
  nullProto,
  ObjectDefineProperty,
  ReflectApply,
  TypeError,
} from "../primordials.js";
import { dictionary, requireArgs, toDOMString } from "../webidl.js";
import { type EventTarget, faceOf, listenersOf, removeListener } from "./event-target.js";

export interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}

const NONE = 0;
const AT_TARGET = 2;

// ---- hooks other modules install (they import this one, so it cannot import them) ----

let clock: () => number = () => 0;
/** performance.ts provides the clock Event.timeStamp reads. */
export function setEventClock(fn: () => number): void {
  clock = fn;
}

let reportException: (error: unknown) => void = () => {};
let reportIfRejected: (value: unknown) => void = () => {};
/**
 * Internal: global-events.ts provides how dispatch reports a listener's exception and watches the
 * promise a listener returns (it builds ErrorEvents, so this module cannot import it).
 */
export function registerListenerErrorReporting(
  exception: (error: unknown) => void,
  ifRejected: (value: unknown) => void,
): void {
  reportException = exception;
  reportIfRejected = ifRejected;
}

// ---- Event ----

let readTrusted: (event: Event) => boolean;
/**
 * isTrusted is [LegacyUnforgeable]: an own accessor on every instance, sharing one getter. The
 * descriptor has no prototype: a `value` an app puts on Object.prototype must not make it invalid.
 */
const isTrustedDescriptor: PropertyDescriptor = nullProto({
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
});

// Internal to events/ (the barrel does not re-export them): access to Event's private state for the
// other files there. Set by Event's static block.
export let isEvent: (value: unknown) => value is Event;
export let dispatch: (
  target: EventTarget,
  event: Event,
  trusted: boolean,
  onError?: (error: unknown) => void,
) => boolean;
export let setCanceled: (event: Event) => void;
export let eventTargetOf: (event: Event) => object | null;
export let isDispatching: (event: Event) => boolean;

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
    this.#bubbles = BooleanCtor(init.bubbles);
    this.#cancelable = BooleanCtor(init.cancelable);
    this.#composed = BooleanCtor(init.composed);
    this.#timeStamp = clock();
    ObjectDefineProperty(this, "isTrusted", isTrustedDescriptor);
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
    this.#bubbles = BooleanCtor(bubbles);
    this.#cancelable = BooleanCtor(cancelable);
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
      const listeners = arrayCopy(list);
      for (let i = 0; i < listeners.length; i++) {
        const listener = listeners[i] as (typeof listeners)[number];
        if (listener.removed || listener.capture !== capture) continue;
        if (listener.once) removeListener(target, listener);
        if (listener.passive) event.#inPassiveListener = true;
        try {
          const callback = listener.callback;
          let result: unknown;
          if (typeof callback === "function") {
            result = ReflectApply(callback, face, [event]);
          } else {
            const handleEvent = callback.handleEvent;
            if (typeof handleEvent !== "function") throw new TypeError("the listener's handleEvent is not a function");
            result = ReflectApply(handleEvent, callback, [event]);
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
