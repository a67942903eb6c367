// KV get/put latency through an app under `nano start --processes 2`: sequential requests over one
// keep-alive connection to routes that make no KV call, one get, one put, or 100 of either (the per-
// operation cost without the request around it), then puts from 8 concurrent clients (both runtime
// processes writing the one SQLite file) with their error count.
// Usage: scripts/bench kv [--requests 400]
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NANO = join(ROOT, "nano");
const { values } = parseArgs({ options: { requests: { type: "string", default: "400" } } });
const N = Number(values.requests);

const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-"));
const server = spawn(
  NANO,
  ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, "--processes", "2"],
  { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NANO_LOG_LEVEL: "warn", NANO_QUIET: "1" } },
);
server.stdout.resume();
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

const app = join(mkdtempSync(join(tmpdir(), "nano-bench-app-")), "kvbench");
mkdirSync(app);
writeFileSync(
  join(app, "nano.json"),
  JSON.stringify({ name: "kvbench", kv: { KV: "bench" }, limits: { cpuMs: 5000 } }),
);
writeFileSync(
  join(app, "index.js"),
  `const value = "v".repeat(100);
export default { async fetch(request, env) {
  const p = new URL(request.url).pathname;
  let i = 0;
  if (p === "/get") await env.KV.get("k");
  else if (p === "/put") await env.KV.put("k", value);
  else if (p === "/get100") for (; i < 100; i++) await env.KV.get("k" + (i % 10));
  else if (p === "/put100") for (; i < 100; i++) await env.KV.put("k" + (i % 10), value);
  else if (p === "/putc") await env.KV.put("c" + Math.floor(Math.random() * 1000), value);
  return new Response("ok");
} };\n`,
);
const deployed = spawnSync(NANO, ["deploy", app], {
  cwd: ROOT,
  env: { ...process.env, NANO_URL: adminUrl, NANO_TOKEN: token, NANO_QUIET: "1" },
  encoding: "utf8",
});
if (deployed.status !== 0) throw new Error(deployed.stderr);

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const hit = (path) =>
  new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const req = request(`${url}${path}`, { agent, headers: { host: "kvbench.localhost" } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t) / 1e6 }));
    });
    req.on("error", reject);
    req.end();
  });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

async function sequential(path, n) {
  for (let i = 0; i < 20; i++) await hit(path);
  const ms = [];
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const r = await hit(path);
    if (r.status !== 200) bad++;
    ms.push(r.ms);
  }
  ms.sort((a, b) => a - b);
  return { p50: pct(ms, 50), p99: pct(ms, 99), bad };
}

const rows = {};
for (const path of ["/noop", "/get", "/put", "/get100", "/put100"]) {
  rows[path] = await sequential(path, path.endsWith("100") ? Math.ceil(N / 4) : N);
}
const line = (name, r) =>
  `${name.padEnd(26)} p50 ${r.p50.toFixed(3).padStart(8)} ms   p99 ${r.p99.toFixed(3).padStart(8)} ms   non-200 ${r.bad}`;
console.log(`KV through an app, nano start --processes 2, ${N} sequential requests each (keep-alive)`);
console.log(line("no KV call", rows["/noop"]));
console.log(line("one get (100 B)", rows["/get"]));
console.log(line("one put (100 B, synced)", rows["/put"]));
console.log(line("100 gets in one request", rows["/get100"]));
console.log(line("100 puts in one request", rows["/put100"]));
console.log(
  `per operation (p50 of 100 in one request less p50 of one, over 99): get ${(((rows["/get100"].p50 - rows["/get"].p50) / 99) * 1000).toFixed(1)} µs, ` +
    `put ${(((rows["/put100"].p50 - rows["/put"].p50) / 99) * 1000).toFixed(1)} µs`,
);

async function concurrent(path, n) {
  const started = performance.now();
  let errors = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (done < n) {
        done++;
        const r = await hit(path);
        if (r.status !== 200) errors++;
      }
    }),
  );
  return { perS: n / ((performance.now() - started) / 1000), errors };
}
const noop = await concurrent("/noop", N * 2);
const puts = await concurrent("/putc", N * 2);
console.log(
  `8 concurrent clients, ${N * 2} requests: no KV ${noop.perS.toFixed(0)} req/s (non-200 ${noop.errors}), ` +
    `one put each ${puts.perS.toFixed(0)} req/s (non-200 ${puts.errors})`,
);
agent.destroy();
server.kill("SIGTERM");
