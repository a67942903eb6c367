// Static asset requests per second: NANO (`nano start`, the site deployed with `nano deploy`, files
// answered by the runtime process before any isolate) beside a raw node:http file server serving the
// same files from memory and from disk, in one run, with the same load generator (autocannon, in a
// process of its own). Each case runs on every server in two interleaved rounds (A B C, then C B A).
// Prints requests/s, p50/p99 latency and the server's CPU per request (its whole process tree).
// Usage: scripts/bench assets [--duration 10] [--connections 50] [--processes 1]
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuSpent, treeCpu } from "./proc-cpu.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NANO = join(ROOT, "nano");
const LOAD = fileURLToPath(new URL("./load.mjs", import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    processes: { type: "string", default: "1" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);

// The site: a small page, a 64 KiB script, a 256 KiB image.
const app = join(mkdtempSync(join(tmpdir(), "nano-bench-assets-")), "assetbench");
const pub = join(app, "public");
mkdirSync(pub, { recursive: true });
writeFileSync(
  join(pub, "index.html"),
  `<!doctype html><h1>bench</h1>${"<p>lorem ipsum dolor sit amet</p>".repeat(28)}`,
);
writeFileSync(join(pub, "app.js"), `console.log(${JSON.stringify("x".repeat(64 * 1024 - 20))});`);
writeFileSync(join(pub, "photo.png"), randomBytes(256 * 1024));
writeFileSync(join(app, "nano.json"), JSON.stringify({ name: "assetbench", assets: "./public" }));
writeFileSync(join(app, "index.js"), `export default { fetch() { return new Response("app") } };\n`);

function waitFor(proc, re, what) {
  return new Promise((resolve, reject) => {
    let err = "";
    proc.stderr.on("data", (d) => {
      err += d;
      const m = re.exec(err);
      if (m) resolve(m);
    });
    proc.once("exit", (code) => reject(new Error(`${what} exited ${code}: ${err}`)));
  });
}

async function startNano() {
  const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-"));
  const proc = spawn(
    NANO,
    ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NANO_LOG_LEVEL: "warn", NANO_QUIET: "1", NANO_PROCESSES: values.processes },
    },
  );
  const [, url, adminUrl] = await waitFor(proc, /ingress on (\S+), admin API on (\S+),/, "nano start");
  const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  const deployed = spawnSync(NANO, ["deploy", app], {
    cwd: ROOT,
    env: { ...process.env, NANO_URL: adminUrl, NANO_TOKEN: token, NANO_QUIET: "1" },
    encoding: "utf8",
  });
  if (deployed.status !== 0) throw new Error(deployed.stderr);
  return { name: `nano (${values.processes} runtime process)`, proc, url, host: "assetbench.localhost" };
}

async function startRaw(mode) {
  const proc = spawn(process.execPath, [join(ROOT, "bench/raw-files.mjs"), pub, mode], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const [, url] = await waitFor(proc, /serving \S+ on (\S+)/, "raw");
  return { name: `raw node:http, ${mode}`, proc, url, host: "assetbench.localhost" };
}

function load(opts) {
  const proc = spawn(process.execPath, [LOAD, JSON.stringify(opts)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  proc.stdout.on("data", (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    proc.once("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`))));
  });
}

function check(server, c) {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${c.path}`, { headers: { host: server.host, ...c.headers } }, (res) => {
      const parts = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => {
        const n = Buffer.concat(parts).length;
        if (res.statusCode !== c.status || (c.status === 200 && n !== c.bytes)) {
          reject(new Error(`${server.name} ${c.name}: HTTP ${res.statusCode}, ${n} bytes`));
        } else resolve();
      });
    });
    req.on("error", reject);
    req.end();
  });
}

const servers = [await startNano(), await startRaw("memory"), await startRaw("disk")];
const etag = await new Promise((resolve) => {
  request(`${servers[0].url}/index.html`, { headers: { host: servers[0].host } }, (res) => {
    res.resume();
    resolve(res.headers.etag);
  }).end();
});
const size = (f) => readFileSync(join(pub, f)).length;
const cases = [
  { name: "index.html (1 KiB)", path: "/index.html", status: 200, bytes: size("index.html") },
  { name: "app.js (64 KiB)", path: "/app.js", status: 200, bytes: size("app.js") },
  { name: "photo.png (256 KiB)", path: "/photo.png", status: 200, bytes: size("photo.png") },
  { name: "index.html, If-None-Match → 304", path: "/index.html", status: 304, headers: { "if-none-match": etag } },
];

console.log(
  `static assets, ${connections} connections, ${duration} s per case and server (two interleaved rounds), load generator in its own process`,
);
for (const c of cases) {
  for (const s of servers) {
    await check(s, c);
    await load({ url: `${s.url}${c.path}`, connections, duration: 1, headers: { host: s.host, ...c.headers } });
  }
  const totals = new Map(servers.map((s) => [s.name, { total: 0, seconds: 0, cpu: 0, p50: 0, p99: 0, errors: 0 }]));
  for (const order of [servers, [...servers].reverse()]) {
    for (const s of order) {
      const before = treeCpu(s.proc.pid);
      const r = await load({
        url: `${s.url}${c.path}`,
        connections,
        duration: duration / 2,
        headers: { host: s.host, ...c.headers },
      });
      const t = totals.get(s.name);
      t.cpu += cpuSpent(before, treeCpu(s.proc.pid));
      t.p50 += r.p50 * r.total;
      t.p99 += r.p99 * r.total;
      t.total += r.total;
      t.seconds += r.seconds;
      t.errors += r.errors + r.timeouts + (c.status === 200 ? r.non2xx : 0);
    }
  }
  console.log(`\n${c.name}`);
  for (const [name, t] of totals) {
    const rps = t.total / t.seconds;
    console.log(
      `  ${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s  p50 ${(t.p50 / t.total).toFixed(1)} ms  p99 ${(t.p99 / t.total).toFixed(1)} ms  CPU ${(t.cpu / t.total).toFixed(0)} µs/req${t.errors ? `  errors ${t.errors}` : ""}`,
    );
  }
}
for (const s of servers) s.proc.kill("SIGTERM");
