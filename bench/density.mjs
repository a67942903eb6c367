// Density, printed: (1) what a freshly restored spare isolate holds and the RSS each warm isolate adds
// with 200 of them in one process (each with an app loaded and one request served); (2) 1,000 apps on
// one `nano start` with NANO_WARM_MEMORY_MB=256: deploy them, request each twice (every answer checked
// against its own app), RSS of the whole server over time, evictions, second-pass latency.
// Usage: scripts/bench density [--isolates 200] [--apps 1000] [--warm-memory 256]
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LAZY_SCRIPTS, RUNTIME_SCRIPT } from "@nano/webapi";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "@nano/worker/isolate";
import { deployApps, failures, MiB, pct, startServer, timedGet, treeRss } from "./many-apps.mjs";

const { values } = parseArgs({
  options: {
    isolates: { type: "string", default: "200" },
    apps: { type: "string", default: "1000" },
    "warm-memory": { type: "string", default: "256" },
  },
});
const isolates = Number(values.isolates);
const apps = Number(values.apps);
const warmMemoryMb = Number(values["warm-memory"]);
const KiB = (b) => (b / 1024).toFixed(1);

// ---- (1) isolates in this process ----
const blob = loadRuntimeSnapshot(mkdtempSync(join(tmpdir(), "nano-snap-")));
const snapshot = snapshotCopy(blob);
const lazy = Object.entries(LAZY_SCRIPTS).map(([n, s]) => `${n} ${KiB(Buffer.byteLength(s))} KiB`);
console.log(
  `runtime script ${KiB(Buffer.byteLength(RUNTIME_SCRIPT))} KiB (loaded on first use: ${lazy.join(", ")}); snapshot ${MiB(blob.byteLength)} MiB`,
);
const spare = new RuntimeIsolate({ snapshot, memoryMb: 128 });
const h = spare.isolate.getHeapStatisticsSync();
console.log(
  `a fresh spare: heap used ${MiB(h.used_heap_size)} MiB, committed ${MiB(h.total_heap_size)} MiB, ` +
    `physical ${MiB(h.total_physical_size)} MiB, external ${KiB(h.externally_allocated_size)} KiB`,
);
spare.dispose();

const rss = () => Number(readFileSync("/proc/self/statm", "utf8").split(" ")[1]) * 4096;
const APP = `__nano_define(function (module) { module.exports = { default: { async fetch(r) {
  return Response.json({ path: new URL(r.url).pathname, ok: true }) } } } });`;
const held = [];
const before = rss();
for (let i = 0; i < isolates; i++) {
  const iso = new RuntimeIsolate({ snapshot, memoryMb: 128 });
  iso.loadApp(APP, { filename: `app:a${i}` });
  const out = await iso.fetch(
    { requestId: String(i), method: "GET", url: `http://a${i}.localhost/x`, headers: ["host", "x"], body: null },
    { cpuMs: 1000, wallMs: 5000 },
  );
  if (out.response.status !== 200) throw new Error(`isolate ${i}: ${out.response.status}`);
  held.push(iso);
}
await new Promise((r) => setTimeout(r, 200));
const perIsolate = (rss() - before) / isolates;
const heapUsed = held.reduce((n, iso) => n + iso.isolate.getHeapStatisticsSync().used_heap_size, 0) / isolates;
console.log(
  `${isolates} warm isolates in one process: +${MiB(perIsolate)} MiB RSS each (heap used ${MiB(heapUsed)} MiB each)`,
);
for (const iso of held) iso.dispose();

// ---- (2) apps on a real server ----
if (apps > 0) {
  const server = await startServer({ env: { NANO_WARM_MEMORY_MB: String(warmMemoryMb) } });
  await new Promise((r) => setTimeout(r, 2000)); // spares made, processes settled
  const base = treeRss(server.pid);
  const t0 = performance.now();
  const samples = [];
  const sampler = setInterval(() => samples.push([(performance.now() - t0) / 1000, treeRss(server.pid)]), 1000);
  const names = Array.from({ length: apps }, (_, i) => `d${i}`);
  await deployApps(server, names);
  const deployS = (performance.now() - t0) / 1000;
  const first = [];
  for (const name of names) first.push(await timedGet(server, name, "/1"));
  const second = [];
  for (const name of names) second.push(await timedGet(server, name, "/2"));
  clearInterval(sampler);
  const peak = Math.max(...samples.map(([, b]) => b), treeRss(server.pid));
  const metrics = await server.metrics();
  const evictions = [...metrics.matchAll(/^nano_isolate_evictions_total\{reason="(\w+)"\} (\d+)/gm)].map(
    ([, r, n]) => `${r} ${n}`,
  );
  const warm = /^nano_isolates\{state="warm"\} (\d+)/m.exec(metrics)?.[1];
  const heap = /^nano_isolate_heap_bytes (\d+)/m.exec(metrics)?.[1];
  await server.stop();
  console.log(
    `${apps} apps on nano start, NANO_WARM_MEMORY_MB=${warmMemoryMb}: deployed in ${deployS.toFixed(1)} s; ` +
      `${apps * 2} requests, every 200 its own app's answer; errors: ${JSON.stringify(failures)}`,
  );
  const every = Math.max(1, Math.ceil(samples.length / 12));
  console.log(
    `  RSS of the server (all processes) over time: start ${MiB(base)} MiB; ` +
      samples
        .filter((_, i) => i % every === 0)
        .map(([s, b]) => `${s.toFixed(0)}s ${MiB(b)}`)
        .join(", "),
  );
  console.log(
    `  RSS growth at peak: +${MiB(peak - base)} MiB (budget ${warmMemoryMb} + 128 MiB allowed); ` +
      `warm isolates at the end ${warm}, their heap ${MiB(Number(heap))} MiB`,
  );
  console.log(`  evictions: ${evictions.join(", ") || "none"}`);
  console.log(
    `  first pass p50 ${pct(first, 50).toFixed(2)} ms p99 ${pct(first, 99).toFixed(2)} ms; ` +
      `second pass p50 ${pct(second, 50).toFixed(2)} ms p99 ${pct(second, 99).toFixed(2)} ms`,
  );
}
