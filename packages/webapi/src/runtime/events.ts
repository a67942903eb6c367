/**
 * https://dom.spec.whatwg.org/#events and the HTML event machinery the global scope needs — the
 * events family's public face for the rest of the runtime. The parts live in events/:
 *   event.ts             Event and the dispatch algorithm
 *   event-target.ts      EventTarget and its listener lists
 *   event-types.ts       CustomEvent, ErrorEvent, PromiseRejectionEvent, MessageEvent
 *   event-handlers.ts    `on<type>` event handler attributes
 *   global-events.ts     the global scope's error events, "report an exception", reportError
 * Their internal exports (private state shared between those files) are deliberately not re-exported.
 */
export { Event, type EventInit, setEventClock } from "./events/event.js";
export { defineEventHandler } from "./events/event-handlers.js";
export {
  EventTarget,
  fireEvent,
  hasListeners,
  registerSignalHooks,
  type SignalHooks,
  watchListeners,
} from "./events/event-target.js";
export {
  CustomEvent,
  ErrorEvent,
  type ErrorEventInit,
  MessageEvent,
  type MessageEventInit,
  PromiseRejectionEvent,
  registerMessagePortBrand,
} from "./events/event-types.js";
export { initGlobalScope, reportError, reportException, reportIfRejected } from "./events/global-events.js";
