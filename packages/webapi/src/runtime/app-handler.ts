// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * The app: either a module whose default export has `fetch(request, env, ctx)`, or a service worker that
 * called `addEventListener("fetch", e => e.respondWith(...))`. The app script calls `__nano_define`
 * with its module factory; the runtime removes that global before the factory runs.
 */
import { DOMException, webidlInterface } from "./dom-exception.js";
import { Event, fireEvent, hasListeners, reportException } from "./events.js";
import {
  ArrayPrototypePush,
  isInstanceOf,
  ObjectFreeze,
  Promise as PromiseCtor,
  PromisePrototypeThen,
  PromiseReject,
  PromiseResolve,
  ReflectApply,
  TypeError,
} from "./primordials.js";
import type { Request } from "./request.js";
import { isResponseObject, type Response } from "./response.js";

export interface ExecutionContext {
  waitUntil(promise: unknown): void;
  passThroughOnException(): void;
}

type ModuleFactory = (module: { exports: unknown }, exports: unknown) => void;
type FetchHandler = (request: Request, env: Record<string, unknown>, ctx: ExecutionContext) => unknown;

let responseOf: (e: FetchEvent) => Promise<unknown> | null;

export class FetchEvent extends Event {
  readonly request: Request;
  #response: Promise<unknown> | null = null;
  #ctx: ExecutionContext;

  constructor(type: string, init: { request: Request; ctx: ExecutionContext }) {
    super(type, { cancelable: true });
    this.request = init.request;
    this.#ctx = init.ctx;
  }
  respondWith(response: unknown): void {
    if (this.#response) throw new DOMException("respondWith() was already called", "InvalidStateError");
    this.#response = PromiseResolve(response);
  }
  waitUntil(promise: unknown): void {
    this.#ctx.waitUntil(promise);
  }
  passThroughOnException(): void {
    this.#ctx.passThroughOnException();
  }
  static {
    responseOf = (e) => e.#response;
  }
}

webidlInterface(FetchEvent, "FetchEvent");

export type AppKind = "module" | "service-worker";

export class AppHandler {
  #factory: ModuleFactory | null = null;
  #fetch: FetchHandler | null = null;
  #thisArg: unknown = undefined;
  #env: Record<string, unknown> = {};
  #kind: AppKind | null = null;

  /** The global object, which is an EventTarget. */
  readonly #globalTarget: object;

  constructor(globalTarget: object) {
    this.#globalTarget = globalTarget;
  }

  /** What the app script calls; `__nano_define` is deleted before the factory runs. */
  define(factory: unknown): void {
    if (typeof factory !== "function") throw new TypeError("app factory must be a function");
    this.#factory = factory as ModuleFactory;
  }

  /** Runs the app's top level, finds its fetch handler, binds env. Throws a clear error if there is none. */
  load(env: Record<string, unknown>): AppKind {
    this.#env = ObjectFreeze({ ...env });
    const factory = this.#factory;
    if (factory) {
      this.#factory = null;
      const module = { exports: {} as Record<string, unknown> };
      factory(module, module.exports);
      const exported = module.exports as Record<string, unknown>;
      const dflt = (exported.default ?? null) as Record<string, unknown> | null;
      if (dflt && typeof dflt === "object" && "fetch" in dflt) {
        if (typeof dflt.fetch !== "function") throw new TypeError("the default export's `fetch` is not a function");
        this.#fetch = dflt.fetch as FetchHandler;
        this.#thisArg = dflt;
        this.#kind = "module";
        return this.#kind;
      }
      if (dflt !== null && !hasListeners(this.#globalTarget, "fetch")) {
        throw new TypeError("the default export has no `fetch(request, env, ctx)` method");
      }
    }
    if (hasListeners(this.#globalTarget, "fetch")) {
      this.#kind = "service-worker";
      return this.#kind;
    }
    throw new TypeError(
      'no fetch handler: export default { fetch(request, env, ctx) { … } } or addEventListener("fetch", …)',
    );
  }

  /** Runs one request; resolves to whatever the app answered (checked by the caller). */
  handle(request: Request, ctx: ExecutionContext): Promise<unknown> {
    if (this.#kind === "module" && this.#fetch) {
      const fetch = this.#fetch;
      let result: unknown;
      try {
        result = ReflectApply(fetch, this.#thisArg, [request, this.#env, ctx]);
      } catch (err) {
        return PromiseReject(err);
      }
      return promiseOf(result);
    }
    if (this.#kind === "service-worker") {
      const event = new FetchEvent("fetch", { request, ctx });
      // A listener's exception fails the request (as in workerd) unless respondWith() was called.
      const errors: unknown[] = [];
      fireEvent(this.#globalTarget, event, (error) => ArrayPrototypePush(errors, error));
      const res = responseOf(event);
      if (res) {
        for (let i = 0; i < errors.length; i++) reportException(errors[i]);
        return res;
      }
      if (errors.length > 0) return PromiseReject(errors[0]);
      return PromiseReject(new TypeError("no fetch listener called respondWith()"));
    }
    return PromiseReject(new TypeError("the app is not loaded"));
  }
}

const identity = (value: unknown) => value;

/**
 * A native promise for what the handler returned. A native promise is followed with the captured
 * `then` (resolving with it would look up Promise.prototype.then, which the app may have replaced);
 * anything else, a thenable of the app's own included, is resolved as `Promise.resolve` does.
 */
function promiseOf(value: unknown): Promise<unknown> {
  if (isInstanceOf(value, PromiseCtor)) {
    try {
      return PromisePrototypeThen(value as Promise<unknown>, identity);
    } catch {
      // Made from Promise.prototype but not a promise: resolved like any other object below.
    }
  }
  return PromiseResolve(value);
}

/** The app's answer, which must be a Response (a brand check: `instanceof` can be faked). */
export function checkResponse(value: unknown): Response {
  if (!isResponseObject(value)) {
    throw new TypeError(`the fetch handler must return a Response, got ${value === null ? "null" : typeof value}`);
  }
  return value;
}
