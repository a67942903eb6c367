/**
 * The runtime script's entry. Installs the Web API classes (captured in the snapshot) and defines
 * `__nano_init(...bridge)`, which the host calls once per isolate after restore: it binds the host
 * functions into closures, installs the globals that need them, deletes itself and returns the entry
 * points. No host object stays reachable from the global scope.
 */

import { BRIDGE_FUNCTIONS, type BridgeFunctions, DEFINE_GLOBAL, INIT_GLOBAL } from "../bridge-contract.js";
import { AppHandler } from "./app-handler.js";
import { createConsole } from "./console.js";
import { createEntryPoints } from "./entry-points.js";
import { EventTarget } from "./events.js";
import { CLASSES, installGlobals } from "./global-scope.js";
import { removeSnapshotShims } from "./snapshot-shims.js";
import { createTimers } from "./timers.js";

installGlobals(CLASSES);
removeSnapshotShims();

function init(...fns: unknown[]) {
  delete (globalThis as Record<string, unknown>)[INIT_GLOBAL];
  const bridge = {} as Record<string, unknown>;
  BRIDGE_FUNCTIONS.forEach((name, i) => {
    const fn = fns[i];
    if (typeof fn !== "function") throw new TypeError(`bridge function ${name} missing`);
    bridge[name] = fn;
  });
  const host = bridge as unknown as BridgeFunctions;

  const globalTarget = new EventTarget();
  const app = new AppHandler(globalTarget);
  const timers = createTimers(host);
  installGlobals({
    console: { value: createConsole(host.log) },
    ...Object.fromEntries(Object.entries(timers.globals).map(([k, v]) => [k, { value: v, enumerable: true }])),
    queueMicrotask: {
      value: (cb: () => void) => {
        if (typeof cb !== "function") throw new TypeError("queueMicrotask requires a function");
        Promise.resolve().then(cb);
      },
      enumerable: true,
    },
    self: { value: globalThis, enumerable: true },
    addEventListener: { value: globalTarget.addEventListener.bind(globalTarget), enumerable: true },
    removeEventListener: { value: globalTarget.removeEventListener.bind(globalTarget), enumerable: true },
    dispatchEvent: { value: globalTarget.dispatchEvent.bind(globalTarget), enumerable: true },
  });
  Object.defineProperty(globalThis, DEFINE_GLOBAL, {
    configurable: true,
    value(factory: unknown) {
      delete (globalThis as Record<string, unknown>)[DEFINE_GLOBAL];
      app.define(factory);
    },
  });
  return createEntryPoints(host, app, timers.fire);
}

Object.defineProperty(globalThis, INIT_GLOBAL, { value: init, configurable: true, writable: false });
