/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes — `on<type>`
 * attributes: each is one listener, added when a handler is first set, that runs the handler.
 */

import { globalObject, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ReflectApply } from "../primordials.js";
import { type Event, eventTargetOf, setCanceled } from "./event.js";
import { addListener, type EventTarget, handlersOf, type Listener, removeListener, targetOf } from "./event-target.js";
import { isErrorEvent } from "./event-types.js";
import { reportIfRejected } from "./global-events.js";

/** Event handler state: https://html.spec.whatwg.org/multipage/webappapis.html#event-handlers */
export interface Handler {
  value: object | null;
  listener: Listener | null;
}

const realGlobal = globalObject;

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
        callback: handlerCallback(newSlot),
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
  const descriptor = ObjectGetOwnPropertyDescriptor(accessors, name)!;
  ObjectDefineProperty(object, name, {
    get: descriptor.get,
    set: descriptor.set,
    enumerable: true,
    configurable: true,
  });
}

/** The listener that runs a handler (made by a function: see entry-points.ts on per-call closures). */
function handlerCallback(slot: Handler): (event: Event) => void {
  return (event) => processHandler(slot, event);
}

/** https://html.spec.whatwg.org/multipage/webappapis.html#the-event-handler-processing-algorithm */
function processHandler(slot: Handler, event: Event): void {
  const callback = slot.value;
  if (callback === null) return;
  const thisArg = eventTargetOf(event);
  const special = isErrorEvent(event) && event.type === "error" && thisArg === realGlobal;
  const args = special ? [event.message, event.filename, event.lineno, event.colno, event.error] : [event];
  // A non-callable object throws a TypeError here, which dispatch reports.
  const result = ReflectApply(callback as (...a: unknown[]) => unknown, thisArg, args);
  if (special ? result === true : result === false) setCanceled(event);
  reportIfRejected(result);
}
