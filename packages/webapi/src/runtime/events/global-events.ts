/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#runtime-script-errors — the global scope as an
 * EventTarget that hears of errors: `onerror`, `onunhandledrejection` and `onrejectionhandled` on
 * `globalThis`, "report an exception", `reportError`, and `unhandledrejection` for the promises the
 * runtime sees rejected (https://html.spec.whatwg.org/multipage/webappapis.html#unhandled-promise-rejections).
 */
import { inspect } from "../inspect.js";
import { dispatch, registerListenerErrorReporting } from "./event.js";
import { defineEventHandler } from "./event-handlers.js";
import { createGlobalTarget, EventTarget, globalTarget } from "./event-target.js";
import { ErrorEvent, PromiseRejectionEvent } from "./event-types.js";
import { requireArgs } from "./webidl-conversions.js";

// The intrinsics the runtime relies on, captured before app code can replace them.
const NativePromise = Promise;
const promiseThen = Promise.prototype.then;
const realGlobal = globalThis;

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
  createGlobalTarget();
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

// What dispatch does with a listener's exception or returned promise (event.ts cannot import this module).
registerListenerErrorReporting(reportException, reportIfRejected);
