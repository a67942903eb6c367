/**
 * The app: either a module whose default export has `fetch(request, env, ctx)`, or a service worker that
 * called `addEventListener("fetch", e => e.respondWith(...))`. The app script calls `__nano_define`
 * with its module factory; the runtime removes that global before the factory runs.
 */
import { DOMException, webidlInterface } from "./dom-exception.js";
import { Event, fireEvent, hasListeners, reportException } from "./events.js";
import type { Request } from "./request.js";
import { Response } from "./response.js";

export interface ExecutionContext {
  waitUntil(promise: unknown): void;
  passThroughOnException(): void;
}

type ModuleFactory = (module: { exports: unknown }, exports: unknown) => void;
type FetchHandler = (request: Request, env: Record<string, unknown>, ctx: ExecutionContext) => unknown;

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
    this.#response = Promise.resolve(response);
  }
  waitUntil(promise: unknown): void {
    this.#ctx.waitUntil(promise);
  }
  passThroughOnException(): void {
    this.#ctx.passThroughOnException();
  }
  /** @internal */
  static responseOf(e: FetchEvent): Promise<unknown> | null {
    return e.#response;
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
    this.#env = Object.freeze({ ...env });
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
      return new Promise((resolve) => resolve(fetch.call(this.#thisArg, request, this.#env, ctx)));
    }
    if (this.#kind === "service-worker") {
      const event = new FetchEvent("fetch", { request, ctx });
      // A listener's exception fails the request (as in workerd) unless respondWith() was called.
      const errors: unknown[] = [];
      fireEvent(this.#globalTarget, event, (error) => errors.push(error));
      const res = FetchEvent.responseOf(event);
      if (res) {
        for (const error of errors) reportException(error);
        return res;
      }
      if (errors.length > 0) return Promise.reject(errors[0]);
      return Promise.reject(new TypeError("no fetch listener called respondWith()"));
    }
    return Promise.reject(new TypeError("the app is not loaded"));
  }
}

export function checkResponse(value: unknown): Response {
  if (!(value instanceof Response)) {
    throw new TypeError(`the fetch handler must return a Response, got ${value === null ? "null" : typeof value}`);
  }
  return value;
}
