/** @nano/worker/isolate — isolates in the calling thread: `nano eval`, the REPL and deploy-time checks. */
export {
  type FetchOutcome,
  type LoadedApp,
  RuntimeIsolate,
  type RuntimeIsolateOptions,
} from "./isolate/runtime-isolate.js";
export {
  createRuntimeSnapshot,
  loadRuntimeSnapshot,
  snapshotCacheDir,
  snapshotCopy,
  snapshotKey,
} from "./isolate/snapshot.js";
