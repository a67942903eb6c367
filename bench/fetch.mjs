// Outbound fetch overhead: N sequential fetches of a small body from a loopback upstream (in its own
// process), made (a) on the host with undici as NANO's bridge uses it, (b) by an app inside an isolate
// through the bridge. Prints wall time and this process's CPU per fetch (median of batches) and the
// difference, which is what the isolate and the bridge add to one round trip.
// Usage: scripts/bench fetch [--batches 7] [--n 500]
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { createSender, fetchFollowing } from "../packages/worker/dist/isolate/outbound-http.js";
import { AddressPolicy } from "../packages/worker/dist/isolate/outbound-policy.js";
import { loadRuntimeSnapshot, RuntimeIsolate, snapshotCopy } from "../packages/worker/dist/isolate.js";

const { values } = parseArgs({
  options: { batches: { type: "string", default: "7" }, n: { type: "string", default: "500" } },
});
const batches = Number(values.batches);
const n = Number(values.n);

const upstream = spawn(
  process.execPath,
  [
    "-e",
    `require("node:http").createServer((q, s) => s.end("hello from upstream")).listen(0, "127.0.0.1", function () { console.log(this.address().port); })`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const port = await new Promise((resolve) => upstream.stdout.once("data", (d) => resolve(Number(String(d)))));
const url = `http://127.0.0.1:${port}/`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function measure(label, batch) {
  await batch(); // warm-up: connections, JIT, the isolate's first compile of the fetch path
  const wall = [];
  const cpu = [];
  for (let b = 0; b < batches; b++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await batch();
    wall.push(((performance.now() - t0) * 1000) / n);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / n);
  }
  const result = { wall: median(wall), cpu: median(cpu) };
  console.log(
    `${label.padEnd(28)} ${result.wall.toFixed(1).padStart(7)} µs wall  ${result.cpu.toFixed(1).padStart(7)} µs CPU per fetch`,
  );
  return result;
}

const policy = new AddressPolicy({ allowPrivate: true });
const sender = createSender(policy);
const host = await measure("host (undici, same path)", async () => {
  for (let i = 0; i < n; i++) {
    const res = await fetchFollowing(
      { method: "GET", url, headers: [], body: null, redirect: "follow", signal: new AbortController().signal },
      policy,
      sender.send,
    );
    // Read as the bridge reads: chunk by chunk from the stream's reader.
    const reader = res.body.getReader();
    while (!(await reader.read()).done);
  }
});
sender.close();

const iso = new RuntimeIsolate({
  snapshot: snapshotCopy(loadRuntimeSnapshot()),
  memoryMb: 128,
  outbound: { allowPrivate: true },
});
// An evaluation may make 50 subrequests (the default limit), so a batch is several evaluations.
const PER_EVAL = 50;
const loop = `(async () => { for (let i = 0; i < ${PER_EVAL}; i++) await (await fetch(${JSON.stringify(url)})).text(); })()`;
const inIsolate = await measure("in-isolate fetch()", async () => {
  for (let done = 0; done < n; done += PER_EVAL) {
    const r = await iso.evaluate(loop, 60_000);
    if (!r.ok) throw new Error(r.text);
  }
});
const isolateNs = iso.isolate.cpuTime;
iso.dispose();
// Includes the warm-up batch: (batches + 1) × n fetches ran inside this isolate.
console.log(`inside the isolate: ${(Number(isolateNs) / 1000 / ((batches + 1) * n)).toFixed(1)} µs CPU per fetch`);
console.log(
  `overhead of the isolate + bridge: ${(inIsolate.wall - host.wall).toFixed(1)} µs wall, ${(inIsolate.cpu - host.cpu).toFixed(1)} µs CPU per fetch`,
);
upstream.kill();
