// Isolate start-up costs, printed: the runtime script's size, the snapshot blob (size, time to make),
// creating an isolate from it, loading an app, the first request's CPU, and a cold first request
// through the worker pool with and without spare isolates.
// Usage: scripts/bench startup
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUNTIME_SCRIPT } from "@nano/webapi";
import { prepareVersion, WorkerPool } from "@nano/worker";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const APP = `__nano_define(function (module) { module.exports = { default: { async fetch(r) {
  const u = new URL(r.url); return Response.json({ path: u.pathname, body: await r.text() }) } } } });`;
const request = (i) => ({
  requestId: String(i),
  method: "POST",
  url: "http://x/a?b",
  headers: ["host", "x"],
  body: null,
});

let t = performance.now();
const blob = loadRuntimeSnapshot(mkdtempSync(join(tmpdir(), "nano-snap-")));
const makeMs = performance.now() - t;
console.log(
  `runtime script ${(Buffer.byteLength(RUNTIME_SCRIPT) / 1024).toFixed(1)} KiB; snapshot ${(blob.byteLength / 1048576).toFixed(2)} MiB, made in ${makeMs.toFixed(0)} ms`,
);

const snapshot = snapshotCopy(blob);
const create = [];
const load = [];
const firstCpu = [];
for (let i = 0; i < 25; i++) {
  t = performance.now();
  const iso = new RuntimeIsolate({ snapshot, memoryMb: 128 });
  create.push(performance.now() - t);
  t = performance.now();
  iso.loadApp(APP, { filename: "app:bench" });
  load.push(performance.now() - t);
  firstCpu.push((await iso.fetch(request(i), { cpuMs: 1000, wallMs: 5000 })).cpuMs);
  iso.dispose();
}
console.log(
  `isolate from snapshot ${median(create).toFixed(2)} ms, app load ${median(load).toFixed(2)} ms, ` +
    `first request CPU ${median(firstCpu).toFixed(2)} ms (medians of 25)`,
);

for (const spareIsolates of [0, 2]) {
  const pool = new WorkerPool({ threads: 1, spareIsolates, snapshot: blob });
  await pool.fetch(prepareVersion({ app: "warm", version: "1", code: APP }), request(0));
  const cold = [];
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100)); // an idle moment between cold apps, as in real traffic
    t = performance.now();
    const r = await pool.fetch(prepareVersion({ app: `app${i}`, version: "1", code: APP }), request(i));
    if (!r.coldStart) throw new Error("expected a cold start");
    cold.push(performance.now() - t);
  }
  console.log(
    `cold first request through the pool, ${spareIsolates} spare isolates: ${median(cold).toFixed(2)} ms (median of 20)`,
  );
  await pool.close();
}
