/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#runtime-script-errors — the global scope as an
 * EventTarget that hears of errors: `onerror`, `onunhandledrejection` and `onrejectionhandled` on
 * `globalThis`, "report an exception", `reportError`, and `unhandledrejection` for the promises the
 * runtime sees rejected (https://html.spec.whatwg.org/multipage/webappapis.html#unhandled-promise-rejections).
 */
import { inspect } from "../inspect.js";
import {
  ArrayPrototypePush,
  globalObject,
  isInstanceOf,
  ObjectCreate,
  ObjectPrototypeToString,
  ObjectSetPrototypeOf,
  Promise as PromiseCtor,
  PromisePrototypeThen,
  RegExpPrototypeExec,
  regExpTest,
  String as StringCtor,
  StringPrototypeIncludes,
  stringJoin,
  stringSplit,
} from "../primordials.js";
import { requireArgs } from "../webidl.js";
import { dispatch, registerListenerErrorReporting } from "./event.js";
import { defineEventHandler } from "./event-handlers.js";
import { createGlobalTarget, EventTarget, globalTarget } from "./event-target.js";
import { ErrorEvent, PromiseRejectionEvent } from "./event-types.js";

const realGlobal = globalObject;
const FRAME = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;
const RUNTIME_FRAME = /^\s+at .*nano:runtime/;

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
  const scopeProto = ObjectCreate(EventTarget.prototype, {
    [Symbol.toStringTag]: { value: "ServiceWorkerGlobalScope", configurable: true },
  });
  ObjectSetPrototypeOf(realGlobal, scopeProto);
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
    const lines = stringSplit(stack, "\n");
    for (let i = 0; i < lines.length; i++) {
      const m = RegExpPrototypeExec(FRAME, lines[i] as string);
      if (m && !StringPrototypeIncludes(m[1]!, "nano:runtime")) return [m[1]!, +(m[2] as string), +(m[3] as string)];
    }
  }
  return ["", 0, 0];
}

/** The value as a console shows it, without the runtime's own stack frames. */
function formatUncaught(value: unknown): string {
  const lines = stringSplit(inspect(value), "\n");
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!regExpTest(RUNTIME_FRAME, lines[i] as string)) ArrayPrototypePush(kept, lines[i] as string);
  }
  return stringJoin(kept, "\n");
}

function describe(error: unknown): string {
  try {
    return StringCtor(error);
  } catch {
    return ObjectPrototypeToString(error);
  }
}

/**
 * https://html.spec.whatwg.org/multipage/webappapis.html#report-an-exception — fires a cancelable
 * ErrorEvent at the global; if no one cancels it, logs "Uncaught …". An error thrown while reporting
 * (by an error listener) is only logged.
 */
export function reportException(error: unknown): void {
  if (!inErrorReporting && globalTarget !== null) {
    const location = errorLocation(error);
    const event = new ErrorEvent("error", {
      cancelable: true,
      message: `Uncaught ${describe(error)}`,
      filename: location[0],
      lineno: location[1],
      colno: location[2],
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

/** Fires `unhandledrejection` for `promise`; logs the reason unless a listener canceled it. */
function notifyRejection(promise: object, reason: unknown): void {
  const event = new PromiseRejectionEvent("unhandledrejection", { cancelable: true, promise, reason });
  if (globalTarget === null || dispatch(globalTarget, event, true)) {
    host?.logError(`Uncaught (in promise) ${formatUncaught(reason)}`);
  }
}

/**
 * isolated-vm gives the runtime no hook for V8's unhandled rejections (they make the entry throw, and
 * the host logs them). What the runtime can see is a promise returned by a callback it called — an
 * async timer callback, event listener or microtask — whose result no one else can reach: if that
 * rejects, it fires `unhandledrejection` (cancelable), and logs "Uncaught (in promise) …" unless canceled.
 */
export function reportIfRejected(value: unknown): void {
  if (!isInstanceOf(value, PromiseCtor)) return;
  PromisePrototypeThen(value as Promise<unknown>, undefined, (reason: unknown) => {
    if (host) host.queueTask(() => notifyRejection(value as object, reason));
    else notifyRejection(value as object, reason);
  });
}

// What dispatch does with a listener's exception or returned promise (event.ts cannot import this module).
registerListenerErrorReporting(reportException, reportIfRejected);
