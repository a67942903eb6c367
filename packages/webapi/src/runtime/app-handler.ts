// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * The app: a module whose default export has `fetch(request, env, ctx)` or is a class extending
 * WorkerEntrypoint (one instance per request, as workerd makes), or a service worker that called
 * `addEventListener("fetch", e => e.respondWith(...))`. The app script calls `__nano_define` with its
 * factory; the runtime removes that global before the factory runs.
 */
import { APP_FACTORY_ABI } from "../bridge-contract.js";
import {
  createCloudflareWorkers,
  type ExecutionContext,
  isEntrypointClass,
  unsupportedBase,
  type WorkerEntrypoint,
} from "./cloudflare-workers.js";
import { DOMException, webidlInterface } from "./dom-exception.js";
import { Event, fireEvent, hasListeners, reportException } from "./events.js";
import {
  ArrayPrototypePush,
  isInstanceOf,
  ObjectFreeze,
  ObjectKeys,
  Promise as PromiseCtor,
  PromisePrototypeThen,
  PromiseReject,
  PromiseResolve,
  ReflectApply,
  ReflectConstruct,
  TypeError,
} from "./primordials.js";
import type { Request } from "./request.js";
import { isResponseObject, type Response } from "./response.js";
import { type ScheduledController, ScheduledEvent } from "./scheduled.js";

export type { ExecutionContext };

/**
 * What `__nano_define` is given. The bundler's (APP_FACTORY_ABI) takes the `cloudflare:workers`
 * module and returns the entry's exports (undefined for a classic script); a hand-written one (tests,
 * the snapshot's warm-up) takes CommonJS's `(module, exports)`.
 */
type ModuleFactory = (...args: unknown[]) => unknown;
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

/** What a request to a cron-only worker gets (the host answers it as NANO_ERR_NO_FETCH_HANDLER). */
const ONLY_SCHEDULED = "no fetch handler: the app exports only a scheduled handler";

export class AppHandler {
  #factory: ModuleFactory | null = null;
  #abi: unknown = undefined;
  #fetch: FetchHandler | null = null;
  /** A default export extending WorkerEntrypoint: constructed for each request. */
  #entrypoint: typeof WorkerEntrypoint | null = null;
  #thisArg: unknown = undefined;
  #env: Record<string, unknown> = {};
  #kind: AppKind | null = null;

  /** The global object, which is an EventTarget. */
  readonly #globalTarget: object;

  constructor(globalTarget: object) {
    this.#globalTarget = globalTarget;
  }

  /** What the app script calls; `__nano_define` is deleted before the factory runs. */
  define(factory: unknown, abi?: unknown): void {
    if (typeof factory !== "function") throw new TypeError("app factory must be a function");
    this.#factory = factory as ModuleFactory;
    this.#abi = abi;
  }

  /**
   * Runs the app's top level, finds its fetch handler, binds env. Throws a clear error if there is none.
   * `waitUntil` serves `cloudflare:workers`' own, which belongs to no request.
   */
  load(env: Record<string, unknown>, waitUntil: (promise: unknown) => void = () => {}): AppKind {
    this.#env = ObjectFreeze({ ...env });
    const factory = this.#factory;
    if (factory) {
      this.#factory = null;
      let exported: Record<string, unknown> | null;
      if (this.#abi === APP_FACTORY_ABI) {
        const returned = ReflectApply(factory, undefined, [createCloudflareWorkers(this.#env, waitUntil)]);
        exported = (returned ?? null) as Record<string, unknown> | null;
      } else {
        const module = { exports: {} as Record<string, unknown> };
        ReflectApply(factory, undefined, [module, module.exports]);
        exported = module.exports as Record<string, unknown>;
      }
      if (exported === null || (typeof exported !== "object" && typeof exported !== "function")) exported = {};
      refuseUnsupportedExports(exported);
      const value: unknown = exported.default ?? null;
      if (isEntrypointClass(value)) {
        const dflt = value as { prototype?: { fetch?: unknown; scheduled?: unknown }; name?: string };
        // A cron-only worker (a `scheduled` method and no `fetch`) loads; its requests are refused.
        if (typeof dflt.prototype?.fetch !== "function" && typeof dflt.prototype?.scheduled !== "function") {
          throw new TypeError(
            `the default export (class ${dflt.name || "(anonymous)"}) has no \`fetch(request)\` method`,
          );
        }
        this.#entrypoint = dflt as typeof WorkerEntrypoint;
        this.#kind = "module";
        return this.#kind;
      }
      const dflt = value as Record<string, unknown> | null;
      if (dflt && typeof dflt === "object" && "fetch" in dflt) {
        if (typeof dflt.fetch !== "function") throw new TypeError("the default export's `fetch` is not a function");
        this.#fetch = dflt.fetch as FetchHandler;
        this.#thisArg = dflt;
        this.#kind = "module";
        return this.#kind;
      }
      if (dflt && typeof dflt === "object" && typeof dflt.scheduled === "function") {
        this.#thisArg = dflt;
        this.#kind = "module";
        return this.#kind;
      }
      if (typeof value === "function" && !hasListeners(this.#globalTarget, "fetch")) {
        throw new TypeError(
          'the default export is a function, which has no `fetch(request, env, ctx)` method: export an object with one, or a class extending WorkerEntrypoint from "cloudflare:workers"',
        );
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

  /**
   * Runs the app's scheduled handler for one cron occurrence: the default export's (or the
   * entrypoint instance's) `scheduled(controller, env, ctx)`, or the `scheduled` listeners.
   * Resolves when the handler's own promise settles; the caller awaits its waitUntil promises.
   */
  scheduled(controller: ScheduledController, ctx: ExecutionContext): Promise<unknown> {
    const missing = () => PromiseReject(new TypeError("the app has no scheduled handler"));
    if (this.#kind === "module") {
      let result: unknown;
      try {
        const target =
          this.#entrypoint !== null
            ? (ReflectConstruct(this.#entrypoint, [ctx, this.#env]) as unknown as Record<string, unknown>)
            : (this.#thisArg as Record<string, unknown>);
        const scheduled = target.scheduled;
        if (typeof scheduled !== "function") return missing();
        result =
          this.#entrypoint !== null
            ? ReflectApply(scheduled, target, [controller])
            : ReflectApply(scheduled, target, [controller, this.#env, ctx]);
      } catch (err) {
        return PromiseReject(err);
      }
      return promiseOf(result);
    }
    if (this.#kind === "service-worker") {
      if (!hasListeners(this.#globalTarget, "scheduled")) return missing();
      const event = new ScheduledEvent("scheduled", { controller, ctx });
      const errors: unknown[] = [];
      fireEvent(this.#globalTarget, event, (error) => ArrayPrototypePush(errors, error));
      return errors.length > 0 ? PromiseReject(errors[0]) : PromiseResolve(undefined);
    }
    return PromiseReject(new TypeError("the app is not loaded"));
  }

  /** Runs one request; resolves to whatever the app answered (checked by the caller). */
  handle(request: Request, ctx: ExecutionContext): Promise<unknown> {
    const entrypoint = this.#entrypoint;
    if (this.#kind === "module" && entrypoint !== null) {
      let result: unknown;
      try {
        const instance = ReflectConstruct(entrypoint, [ctx, this.#env]) as { fetch?: unknown };
        const fetch = instance.fetch;
        if (typeof fetch !== "function") throw new TypeError(ONLY_SCHEDULED);
        result = ReflectApply(fetch, instance, [request]);
      } catch (err) {
        return PromiseReject(err);
      }
      return promiseOf(result);
    }
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
    if (this.#kind === "module") return PromiseReject(new TypeError(ONLY_SCHEDULED));
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

/** Fails the load on any export of a `cloudflare:workers` class NANO does not support, naming both. */
function refuseUnsupportedExports(exported: Record<string, unknown>): void {
  const keys = ObjectKeys(exported);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = exported[key];
    const base = unsupportedBase(value);
    if (base === null) continue;
    const name = (value as { name?: unknown }).name;
    const cls = typeof name === "string" && name !== "" && name !== base ? `class ${name} extends ${base}` : base;
    const which = key === "default" ? "the default export" : `the export "${key}"`;
    throw new TypeError(`${which} (${cls}) is not supported by NANO: ${base} is not available yet`);
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
