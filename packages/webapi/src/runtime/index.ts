/**
 * The runtime script's entry. Installs the Web API classes (captured in the snapshot) and defines
 * `__nano_init(...bridge)`, which the host calls once per isolate after restore: it binds the host
 * functions into closures, installs the globals that need them, deletes itself and returns the entry
 * points. No host object stays reachable from the global scope.
 */

import { BRIDGE_FUNCTIONS, type BridgeFunctions, DEFINE_GLOBAL, INIT_GLOBAL } from "../bridge-contract.js";
import { AppHandler } from "./app-handler.js";
import { createConsole } from "./console.js";
import { createCrypto } from "./crypto/crypto.js";
import { createEntryPoints } from "./entry-points.js";
import { initGlobalScope } from "./events.js";
import { createFetch } from "./fetch.js";
import { CLASSES, installGlobals } from "./global-scope.js";
import { setLazySource } from "./lazy.js";
import { startClock } from "./performance.js";
import { removeSnapshotShims } from "./snapshot-shims.js";
import { registerPlatformClasses } from "./structured-clone.js";
import { createTimers, queueTask } from "./timers.js";
import { installWebAssembly } from "./wasm.js";
import { setWebSocketHost } from "./websocket.js";

installGlobals(CLASSES);
// Instances of the Web classes are platform objects: structuredClone refuses those not serializable.
registerPlatformClasses(Object.values(CLASSES).map((def) => def.value));
removeSnapshotShims();

/** `fns`: the bridge functions in BRIDGE_FUNCTIONS order, then the app's memory limit in MiB. */
function init(...fns: unknown[]) {
  delete (globalThis as Record<string, unknown>)[INIT_GLOBAL];
  const memoryMb = fns[BRIDGE_FUNCTIONS.length];
  if (typeof memoryMb !== "number" || !(memoryMb > 0)) throw new TypeError("the memory limit is missing");
  const bridge = {} as Record<string, unknown>;
  BRIDGE_FUNCTIONS.forEach((name, i) => {
    const fn = fns[i];
    if (typeof fn !== "function") throw new TypeError(`bridge function ${name} missing`);
    bridge[name] = fn;
  });
  const host = bridge as unknown as BridgeFunctions;

  startClock();
  setLazySource(host.lazySource);
  setWebSocketHost({ socketSend: host.socketSend, socketClose: host.socketClose });
  installWebAssembly(memoryMb);
  const timers = createTimers(host);
  // The global becomes an EventTarget whose `error`/`unhandledrejection` events log when not canceled.
  initGlobalScope({ logError: (text) => host.log("error", text), queueTask });
  const app = new AppHandler(globalThis);
  const outbound = createFetch(host);
  installGlobals({
    fetch: { value: outbound.fetch, enumerable: true },
    console: { value: createConsole(host.log) },
    crypto: { value: createCrypto(host.crypto), enumerable: true, writable: false },
    ...Object.fromEntries(Object.entries(timers.globals).map(([k, v]) => [k, { value: v, enumerable: true }])),
    self: { value: globalThis, enumerable: true },
  });
  Object.defineProperty(globalThis, DEFINE_GLOBAL, {
    configurable: true,
    value(factory: unknown, abi?: unknown) {
      delete (globalThis as Record<string, unknown>)[DEFINE_GLOBAL];
      app.define(factory, abi);
    },
  });
  return { ...createEntryPoints(host, app, timers.fire, outbound.assetsFetch), ...outbound.entries };
}

Object.defineProperty(globalThis, INIT_GLOBAL, { value: init, configurable: true, writable: false });
