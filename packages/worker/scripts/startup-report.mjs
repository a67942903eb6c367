// Printed by the build: what the runtime script costs each isolate — the snapshot it makes and the
// time to start an isolate from it (median of 5). Also leaves the snapshot in the disk cache.
import { RUNTIME_SCRIPT } from "@nano/webapi";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "../dist/isolate.js";

const blob = loadRuntimeSnapshot();
const snapshot = snapshotCopy(blob);
const times = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  new RuntimeIsolate({ snapshot, memoryMb: 128 }).dispose();
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(
  `worker: isolate start ${times[2].toFixed(1)} ms (median of 5) from a ${(blob.byteLength / 1048576).toFixed(2)} MiB ` +
    `snapshot of the ${(Buffer.byteLength(RUNTIME_SCRIPT) / 1024).toFixed(1)} KiB runtime script`,
);
