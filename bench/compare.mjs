// NANO beside workerd and raw node:http, one run: hello-world, a 1 KiB JSON echo and a 64 KiB
// streamed response, each with the servers pinned to one core (load generator on the other) and
// unpinned. The three servers run side by side and take turns under load. Prints req/s, p50/p99,
// server CPU per request (the server's whole process tree) and the ratios NANO/workerd and NANO/raw.
// Printed, never asserted: the machine is shared and noisy.
// Usage: scripts/bench [workerd] [--duration 8] [--connections 64] [--warmup 1] [--only pinned|unpinned]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuSpent, treeCpu } from "./proc-cpu.mjs";
import { startNano, startRaw, startWorkerd, WORKERD_VERSION } from "./servers.mjs";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "64" },
    warmup: { type: "string", default: "1" },
    only: { type: "string" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const warmup = Number(values.warmup);

const ECHO_BODY = (() => {
  const base = { id: 1, name: "bench", tags: ["a", "b", "c"], pad: "" };
  base.pad = "x".repeat(1024 - JSON.stringify(base).length);
  return JSON.stringify(base); // exactly 1024 bytes
})();

const CASES = [
  { name: "hello", path: "/", check: (b) => b.toString() === "Hello World" },
  {
    name: "echo",
    path: "/echo",
    method: "POST",
    body: ECHO_BODY,
    headers: { "content-type": "application/json" },
    check: (b) => b.toString() === ECHO_BODY,
  },
  { name: "stream", path: "/stream", check: (b) => b.length === 65536 && b.every((x) => x === 120) },
];

const MODES = [
  { name: "pinned", server: ["taskset", "-c", "1"], load: ["taskset", "-c", "0"] },
  { name: "unpinned", server: [], load: [] },
].filter((m) => !values.only || m.name === values.only);

const STARTERS = [startRaw, startWorkerd, startNano];
const LOAD = fileURLToPath(new URL("./load.mjs", import.meta.url));

function load(prefix, opts) {
  const [bin, ...args] = [...prefix, process.execPath, LOAD, JSON.stringify(opts)];
  const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  proc.stdout.on("data", (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    proc.once("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`))));
  });
}

/** One request first: every server must give the same answer (fetch() would not send our Host). */
async function check(server, c) {
  const req = request(`${server.url}${c.path}`, {
    method: c.method ?? "GET",
    headers: { host: server.host, ...c.headers },
  });
  req.end(c.body);
  const [res] = await once(req, "response");
  const parts = [];
  for await (const part of res) parts.push(part);
  const body = Buffer.concat(parts);
  if (res.statusCode !== 200 || !c.check(body))
    throw new Error(`${server.name} ${c.name}: HTTP ${res.statusCode}, ${body.length} bytes: ${body.subarray(0, 200)}`);
}

const loadOpts = (server, c) => ({
  url: `${server.url}${c.path}`,
  connections,
  method: c.method ?? "GET",
  headers: { host: server.host, ...c.headers },
  ...(c.body ? { body: c.body } : {}),
});

/** One load on one server: requests, seconds, latency percentiles and the server tree's CPU. */
async function measure(mode, server, c, seconds) {
  const before = treeCpu(server.pid);
  const r = await load(mode.load, { ...loadOpts(server, c), duration: seconds });
  return { ...r, cpu: cpuSpent(before, treeCpu(server.pid)) };
}

/**
 * A case on every server, interleaved so that the machine's other work falls on all of them alike:
 * two rounds of half the duration, in the order A B C then C B A. Percentiles are the
 * request-weighted mean of the rounds'.
 */
async function runCase(mode, servers, c) {
  for (const server of servers) {
    await check(server, c);
    if (warmup > 0) await load(mode.load, { ...loadOpts(server, c), duration: warmup });
  }
  const rounds = new Map(servers.map((s) => [s.name, []]));
  for (const order of [servers, [...servers].reverse()]) {
    for (const server of order) rounds.get(server.name).push(await measure(mode, server, c, duration / 2));
  }
  const rows = {};
  for (const [name, rs] of rounds) {
    const total = rs.reduce((a, r) => a + r.total, 0);
    const weighted = (k) => rs.reduce((a, r) => a + r[k] * r.total, 0) / Math.max(1, total);
    rows[name] = {
      rps: total / rs.reduce((a, r) => a + r.seconds, 0),
      p50: weighted("p50"),
      p99: weighted("p99"),
      cpuUs: rs.reduce((a, r) => a + r.cpu, 0) / Math.max(1, total),
      errors: rs.reduce((a, r) => a + r.errors + r.timeouts + r.non2xx, 0),
    };
  }
  return rows;
}

const fmt = (n, digits = 0) => n.toFixed(digits);
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

console.log(
  `NANO (nano start, defaults) vs workerd ${WORKERD_VERSION} vs raw node:http: ${connections} connections, ` +
    `${duration}s per case and server (2 interleaved rounds, +${warmup}s warm-up), Node ${process.version}, ` +
    `${availableParallelism()} cores`,
);
const results = {};
for (const mode of MODES) {
  console.log(
    mode.name === "pinned"
      ? "\npinned: each server on core 1 (taskset -c 1), the load generator on core 0"
      : "\nunpinned: servers and load generator on all cores",
  );
  console.log(
    `${"case".padEnd(7)}${"server".padEnd(9)}${"req/s".padStart(8)}${"p50".padStart(8)}${"p99".padStart(8)}` +
      `${"CPU/req".padStart(11)}${"errors".padStart(8)}`,
  );
  results[mode.name] = {};
  const servers = [];
  try {
    for (const start of STARTERS) servers.push(await start(mode.server));
    for (const c of CASES) {
      const rows = await runCase(mode, servers, c);
      results[mode.name][c.name] = rows;
      for (const [name, row] of Object.entries(rows)) {
        console.log(
          `${c.name.padEnd(7)}${name.padEnd(9)}${fmt(row.rps).padStart(8)}${`${fmt(row.p50)} ms`.padStart(8)}` +
            `${`${fmt(row.p99)} ms`.padStart(8)}${`${fmt(row.cpuUs, 1)} µs`.padStart(11)}${String(row.errors).padStart(8)}`,
        );
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}

console.log("\nratios (req/s, CPU per request, p99)");
for (const mode of MODES) {
  for (const c of CASES) {
    const { raw, workerd, nano } = results[mode.name][c.name];
    console.log(
      `${mode.name.padEnd(9)}${c.name.padEnd(7)} NANO/workerd ${ratio(nano.rps, workerd.rps).padStart(6)} ` +
        `${ratio(nano.cpuUs, workerd.cpuUs).padStart(6)} ${ratio(nano.p99, workerd.p99).padStart(6)}   ` +
        `NANO/raw ${ratio(nano.rps, raw.rps).padStart(6)} ${ratio(nano.cpuUs, raw.cpuUs).padStart(6)} ` +
        `${ratio(nano.p99, raw.p99).padStart(6)}`,
    );
  }
}
