// A healthy app beside a looping neighbour: one `nano start`, app `healthy` (answers "hi") and app
// `looper` (`for (;;) {}`). Loads `healthy` alone, then the same load while 4 connections hammer
// `looper`; prints req/s, p50/p99, non-2xx and errors for both, the looper's answers by error code
// (CPU-limit kills against throttled 503s), the beside/alone ratios and the throttle and kill metrics.
// Usage: scripts/bench neighbour [--connections 32] [--duration 8] [--processes N]
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NANO = join(ROOT, "nano");
const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "32" },
    duration: { type: "string", default: "8" },
    processes: { type: "string" },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);

const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-"));
const args = ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir];
if (values.processes) args.push("--processes", values.processes);
const server = spawn(NANO, args, {
  cwd: ROOT,
  stdio: ["ignore", "ignore", "pipe"],
  env: { ...process.env, NANO_LOG_LEVEL: "warn", NANO_QUIET: "1" },
});
const { url, adminUrl } = await new Promise((resolve, reject) => {
  let err = "";
  server.stderr.on("data", (d) => {
    err += d;
    const m = /ingress on (\S+), admin API on (\S+),/.exec(err);
    if (m) resolve({ url: m[1], adminUrl: m[2] });
  });
  server.once("exit", (code) => reject(new Error(`nano start exited ${code}: ${err}`)));
});
const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();

function deploy(name, source) {
  const dir = join(mkdtempSync(join(tmpdir(), "nano-bench-app-")), name);
  mkdirSync(dir);
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ name }));
  writeFileSync(join(dir, "index.js"), source);
  const r = spawnSync(NANO, ["deploy", dir], {
    env: { ...process.env, NANO_URL: adminUrl, NANO_TOKEN: token, NANO_QUIET: "1" },
  });
  if (r.status !== 0) throw new Error(String(r.stderr));
}
deploy("healthy", `export default { fetch() { return new Response("hi") } };\n`);
deploy("looper", `export default { fetch() { for (;;) {} } };\n`);

const load = (app, opts) => autocannon({ url, headers: { host: `${app}.localhost` }, duration, ...opts });

function report(name, r) {
  console.log(
    `${name.padEnd(15)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${r.latency.p50} ms   ` +
      `p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors} (timeouts ${r.timeouts})`,
  );
}

const ps = (await (await fetch(`${adminUrl}/v1/processes`, { headers: { authorization: `Bearer ${token}` } })).json())
  .processes;
console.log(
  `healthy app beside a looping neighbour, runtime processes ${ps.length}, ${connections} connections, ` +
    `${duration}s each, ${process.version}`,
);
await load("healthy", { connections, duration: 2 }); // warm-up
const alone = await load("healthy", { connections });
report("healthy alone", alone);

const codes = {};
const onResponse = (status, body) => {
  let code = `HTTP ${status}`;
  try {
    code = JSON.parse(body).error.code;
  } catch {}
  codes[code] = (codes[code] ?? 0) + 1;
};
const [beside, looper] = await Promise.all([
  load("healthy", { connections }),
  load("looper", { connections: 4, requests: [{ method: "GET", path: "/", onResponse }] }),
]);
report("healthy beside", beside);
report("looper", looper);
console.log(
  `looper answers: ${Object.entries(codes)
    .map(([c, n]) => `${c} ${n}`)
    .join(", ")}`,
);
console.log(
  `ratio beside/alone: throughput ${(beside.requests.average / alone.requests.average).toFixed(2)}×, ` +
    `p99 ${(beside.latency.p99 / alone.latency.p99).toFixed(2)}×`,
);

await sleep(500); // runtime processes report requests to the supervisor every 100 ms
const metrics = await (await fetch(`${adminUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
for (const line of metrics.split("\n")) {
  if (/^nano_(throttled_requests|limit_kills)_total\{/.test(line)) console.log(`  ${line}`);
}

server.kill("SIGTERM");
const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
await once(server, "exit");
clearTimeout(timer);
server.stderr.destroy();
