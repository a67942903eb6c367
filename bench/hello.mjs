// Hello-world through NANO and through raw node:http, same machine, same run, same load generator.
// Prints requests/s, p50/p99 latency, server CPU per request and the NANO/raw ratios.
// Usage: scripts/bench [--duration 10] [--connections 50]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: { duration: { type: "string", default: "10" }, connections: { type: "string", default: "50" } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux

/** CPU time (user + system) of a process and its threads, in microseconds, from /proc. */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

function start(cmd, args) {
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NANO_LOG_LEVEL: "warn" },
  });
  return new Promise((resolve, reject) => {
    let err = "";
    proc.stderr.on("data", (d) => {
      err += d;
      const m = /serving \S+ on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.once("exit", (code) => reject(new Error(`${cmd} exited ${code}: ${err}`)));
  });
}

async function measure(name, server) {
  await autocannon({ url: server.url, connections, duration: 2 }); // warm-up
  const cpu0 = cpuMicros(server.proc.pid);
  const r = await autocannon({ url: server.url, connections, duration });
  const cpu = cpuMicros(server.proc.pid) - cpu0;
  server.proc.kill("SIGTERM");
  const row = {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuUsPerReq: cpu / r.requests.total,
    errors: r.errors + r.non2xx,
  };
  console.log(
    `${name.padEnd(6)} ${row.rps.toFixed(0).padStart(8)} req/s   p50 ${row.p50} ms   p99 ${row.p99} ms   ` +
      `${row.cpuUsPerReq.toFixed(1)} µs CPU/req   errors ${row.errors}`,
  );
  return row;
}

console.log(`hello world, ${connections} connections, ${duration}s each, ${process.version}`);
const raw = await measure("raw", await start(process.execPath, ["bench/raw-node.mjs"]));
const nano = await measure("nano", await start(`${ROOT}nano`, ["serve", "bench/apps/hello", "--port", "0"]));
console.log(
  `ratio NANO/raw: throughput ${(nano.rps / raw.rps).toFixed(2)}×, ` +
    `CPU per request ${(nano.cpuUsPerReq / raw.cpuUsPerReq).toFixed(2)}×, p99 ${(nano.p99 / raw.p99).toFixed(2)}×`,
);
