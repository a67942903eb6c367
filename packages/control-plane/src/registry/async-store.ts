/** A synchronous store (one SQLite file) behind the admin side's asynchronous contract. */
import type { RegistryStore, SyncRegistryStore } from "./store.js";

export function asyncStore(s: SyncRegistryStore): RegistryStore {
  // Each call runs now (a SQLite transaction is synchronous) and settles with its result or error.
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<R> =>
      fn.apply(s, args);
  return {
    listApps: wrap(s.listApps),
    getApp: wrap(s.getApp),
    putVersion: wrap(s.putVersion),
    getVersion: wrap(s.getVersion),
    listVersions: wrap(s.listVersions),
    activate: wrap(s.activate),
    putVersionAndActivate: wrap(s.putVersionAndActivate),
    activations: wrap(s.activations),
    deleteApp: wrap(s.deleteApp),
    setSecret: wrap(s.setSecret),
    deleteSecret: wrap(s.deleteSecret),
    listSecretNames: wrap(s.listSecretNames),
    getSecrets: wrap(s.getSecrets),
    quarantine: wrap(s.quarantine),
    liftQuarantine: wrap(s.liftQuarantine),
    generation: wrap(s.generation),
    close: wrap(s.close),
  };
}
