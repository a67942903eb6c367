// The worker pool alone, without HTTP: hello-world requests at 32 in flight through the per-thread
// channels (the hot path) and through Piscina's task path, in one run, one worker thread, this
// process pinned to one core by `scripts/bench pool`. Prints req/s and CPU per request of the whole
// process (both threads and V8's helpers).
import { loadRuntimeSnapshot } from "../packages/worker/dist/isolate/snapshot.js";
import { prepareVersion, WorkerPool } from "../packages/worker/dist/pool/worker-pool.js";

const N = 20_000;
const IN_FLIGHT = 32;
const version = prepareVersion({
  app: "bench",
  version: "1",
  code: `__nano_define(function (module) { module.exports = { default: { fetch() { return new Response("Hello World") } } }; });`,
});
const request = () => ({
  requestId: "r",
  method: "GET",
  url: "http://bench.localhost/",
  headers: ["host", "bench.localhost", "user-agent", "bench", "x-request-id", "r", "x-forwarded-for", "127.0.0.1"],
  body: null,
});

async function load(pool) {
  let sent = 0;
  let done = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const next = () => {
      if (sent >= N) return;
      sent++;
      pool.fetch(version, request()).then((r) => {
        if (r.error) return reject(new Error(r.error.message));
        if (++done === N) resolve();
        else next();
      }, reject);
    };
    for (let i = 0; i < IN_FLIGHT; i++) next();
  });
  const used = process.cpuUsage(cpu);
  return { rps: N / ((performance.now() - t0) / 1000), cpu: (used.user + used.system) / N };
}

const snapshot = loadRuntimeSnapshot();
const pools = {
  channels: new WorkerPool({ threads: 1, snapshot }),
  piscina: new WorkerPool({ threads: 1, snapshot, channels: false }),
};
for (const pool of Object.values(pools)) {
  await pool.fetch(version, request());
  await new Promise((r) => setTimeout(r, 300));
}
const results = { channels: [], piscina: [] };
// Interleaved rounds, so the machine's other work falls on both alike; the first is warm-up.
for (let round = 0; round < 4; round++) {
  for (const [name, pool] of Object.entries(pools)) {
    const r = await load(pool);
    if (round > 0) results[name].push(r);
  }
}
console.log(`worker pool, hello-world, ${IN_FLIGHT} in flight, ${N} requests per round, 3 rounds, 1 thread`);
for (const [name, rs] of Object.entries(results)) {
  const rps = rs.reduce((a, r) => a + r.rps, 0) / rs.length;
  const cpu = rs.reduce((a, r) => a + r.cpu, 0) / rs.length;
  console.log(`${name.padEnd(9)} ${rps.toFixed(0).padStart(6)} req/s  ${cpu.toFixed(1).padStart(6)} µs CPU/request`);
}
await Promise.all(Object.values(pools).map((p) => p.destroy()));
