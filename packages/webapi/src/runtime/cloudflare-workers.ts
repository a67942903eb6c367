// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * The `cloudflare:workers` module (https://developers.cloudflare.com/workers/runtime-apis/bindings/#importing-env-as-a-global,
 * https://developers.cloudflare.com/workers/runtime-apis/rpc/). The bundler resolves the specifier to a
 * module that reads its exports from the object `createCloudflareWorkers` makes, which the runtime hands
 * the app's factory: nothing of it is a global. Durable Objects, RPC and Workflows need what NANO does
 * not have: their classes exist (so an app's `extends` evaluates) but an app exporting or constructing
 * one fails with an error naming the class.
 */
import type { CLOUDFLARE_WORKERS_EXPORTS } from "../bridge-contract.js";
import { nullProto, ObjectFreeze, ObjectGetPrototypeOf, TypeError } from "./primordials.js";

export interface ExecutionContext {
  waitUntil(promise: unknown): void;
  passThroughOnException(): void;
}

/** The class form of an entrypoint: workerd makes one per request with `(ctx, env)`. */
export class WorkerEntrypoint {
  ctx: ExecutionContext;
  env: Record<string, unknown>;
  constructor(ctx: ExecutionContext, env: Record<string, unknown>) {
    this.ctx = ctx;
    this.env = env;
  }
}

function notSupported(name: string, what: string): TypeError {
  return new TypeError(`${name} is not supported by NANO (${what})`);
}

export class DurableObject {
  constructor() {
    throw notSupported("DurableObject", "Durable Objects need storage and addressing NANO does not have yet");
  }
}

export class RpcTarget {
  constructor() {
    throw notSupported("RpcTarget", "NANO has no service bindings to pass RPC targets over");
  }
}

export class RpcStub {
  constructor() {
    throw notSupported("RpcStub", "NANO has no service bindings to pass RPC stubs over");
  }
}

export class WorkflowEntrypoint {
  constructor() {
    throw notSupported("WorkflowEntrypoint", "NANO does not run Workflows");
  }
}

const UNSUPPORTED_BASES: readonly [unknown, string][] = [
  [DurableObject, "DurableObject"],
  [RpcTarget, "RpcTarget"],
  [RpcStub, "RpcStub"],
  [WorkflowEntrypoint, "WorkflowEntrypoint"],
];

/** The first class among `bases` on `value`'s prototype chain (a class's chain is its superclasses). */
function extendsOneOf(value: unknown, bases: readonly [unknown, string][]): string | null {
  if (typeof value !== "function") return null;
  let proto: unknown = value;
  // Bounded: a Proxy of the app's could answer a new prototype forever.
  for (let depth = 0; depth < 64 && proto !== null; depth++) {
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i] as [unknown, string];
      if (proto === base[0]) return base[1];
    }
    proto = ObjectGetPrototypeOf(proto as object);
  }
  return null;
}

/** The unsupported `cloudflare:workers` class `value` is or extends, or null. */
export function unsupportedBase(value: unknown): string | null {
  return extendsOneOf(value, UNSUPPORTED_BASES);
}

const ENTRYPOINT: readonly [unknown, string][] = [[WorkerEntrypoint, "WorkerEntrypoint"]];

/** Whether `value` is a class that extends WorkerEntrypoint. */
export function isEntrypointClass(value: unknown): value is typeof WorkerEntrypoint {
  return value !== WorkerEntrypoint && extendsOneOf(value, ENTRYPOINT) !== null;
}

type CloudflareWorkers = Record<(typeof CLOUDFLARE_WORKERS_EXPORTS)[number], unknown>;

/** The module object for one app: its `env` (the object its handlers get) and a request-less `waitUntil`. */
export function createCloudflareWorkers(
  env: Record<string, unknown>,
  waitUntil: (promise: unknown) => void,
): CloudflareWorkers {
  const module: CloudflareWorkers = nullProto({
    WorkerEntrypoint,
    DurableObject,
    RpcTarget,
    RpcStub,
    WorkflowEntrypoint,
    env,
    waitUntil(promise: unknown): void {
      waitUntil(promise);
    },
  });
  return ObjectFreeze(module);
}
