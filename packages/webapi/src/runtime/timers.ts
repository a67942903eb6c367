// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timers — there is no event loop in
 * an isolate, so each timer is a host timer (`setTimer`) that calls back into `fireTimer(id)`; each
 * firing is its own entry, so microtasks drain between timers as they do between tasks.
 * A callback's exception is reported (an `error` event at the global), and a rejected promise it
 * returns fires `unhandledrejection`, instead of escaping the entry.
 */
import { reportException, reportIfRejected } from "./events.js";
import {
  Error as ErrorCtor,
  globalObject,
  MathMax,
  Number as NumberCtor,
  PromisePrototypeThen,
  PromiseResolve,
  ReflectApply,
  SafeMap,
  TypeError,
} from "./primordials.js";

type Callback = (...args: unknown[]) => unknown;

interface Timer {
  callback: Callback;
  args: unknown[];
  delay: number;
  repeat: boolean;
}

export interface TimerHost {
  setTimer(id: number, delayMs: number): void;
  clearTimer(id: number): void;
}

let startInternal: ((callback: Callback, delay: number) => void) | null = null;

/** A runtime-internal timer (AbortSignal.timeout), immune to the app replacing `setTimeout`. */
export function runtimeTimeout(callback: () => void, ms: number): void {
  if (startInternal === null) throw new ErrorCtor("timers are not initialised");
  startInternal(callback, ms);
}

/** Queues a task: `callback` runs in a later entry, after the current one's microtasks. */
export function queueTask(callback: () => void): void {
  runtimeTimeout(callback, 0);
}

const resolved = PromiseResolve(undefined);

/** https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#dom-queuemicrotask */
export function queueMicrotask(callback: () => void): void {
  // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
  if (arguments.length < 1) throw new TypeError("queueMicrotask: 1 argument required, but only 0 present");
  if (typeof callback !== "function") throw new TypeError("queueMicrotask: callback is not a function");
  PromisePrototypeThen(resolved, () => {
    try {
      reportIfRejected(ReflectApply(callback, undefined, []));
    } catch (error) {
      reportException(error);
    }
  });
}

export function createTimers(host: TimerHost) {
  const timers = new SafeMap<number, Timer>();
  let nextId = 1;

  const start = (callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number => {
    if (typeof callback !== "function") throw new TypeError("timer callback must be a function");
    const id = nextId++;
    const ms = MathMax(0, NumberCtor(delay) || 0);
    timers.set(id, { callback: callback as Callback, args, delay: ms, repeat });
    host.setTimer(id, ms);
    return id;
  };
  const clear = (id: unknown): void => {
    const n = NumberCtor(id);
    if (timers.delete(n)) host.clearTimer(n);
  };
  startInternal = (callback, ms) => void start(callback, ms, [], false);

  return {
    globals: {
      // WebIDL lengths: setTimeout(handler, optional timeout = 0, ...arguments) is 1, clearTimeout 0.
      setTimeout: (cb: unknown, delay: unknown = 0, ...args: unknown[]) => start(cb, delay, args, false),
      setInterval: (cb: unknown, delay: unknown = 0, ...args: unknown[]) => start(cb, delay, args, true),
      clearTimeout: (id: unknown = 0) => clear(id),
      clearInterval: (id: unknown = 0) => clear(id),
    },
    /** Called by the host when timer `id` is due. */
    fire(id: number): void {
      const t = timers.get(id);
      if (!t) return;
      if (t.repeat) host.setTimer(id, t.delay);
      else timers.delete(id);
      try {
        // The callback's `this` is the global object, as in browsers.
        reportIfRejected(ReflectApply(t.callback, globalObject, t.args));
      } catch (error) {
        reportException(error);
      }
    },
  };
}
