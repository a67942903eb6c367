// Two `nano start` nodes on one PostgreSQL registry (a throwaway server, as the tests start it):
// deploy-to-served-on-the-other-node latency over 20 deploys made on node A and awaited on node B
// (p50 and max), then request throughput through both nodes at once (one autocannon per node, as a
// load balancer would spread it), against one node alone.
// Usage: scripts/bench nodes [--runs 20] [--duration 10] [--connections 20]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startPostgres } from "../test/support/postgres.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NANO = join(ROOT, "nano");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "20" },
  },
  allowPositionals: true,
});

const pg = await startPostgres();
const databaseUrl = await pg.createDatabase();
const key = randomBytes(32).toString("hex");
const nodes = [];

function startNode() {
  const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-node-"));
  const proc = spawn(
    NANO,
    ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, "--processes", "1"],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        NANO_LOG_LEVEL: "warn",
        NANO_QUIET: "1",
        NANO_DATABASE_URL: databaseUrl,
        NANO_SECRET_KEY: key,
      },
    },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    proc.stderr.on("data", (d) => {
      err += d;
      const m = /ingress on (\S+), admin API on (\S+),/.exec(err);
      if (m) {
        const node = {
          proc,
          url: m[1],
          adminUrl: m[2],
          token: readFileSync(join(dataDir, "admin-token"), "utf8").trim(),
        };
        nodes.push(node);
        resolve(node);
      }
    });
    proc.once("exit", (code) => reject(new Error(`nano start exited with ${code}: ${err}`)));
  });
}

function get(url, host) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { headers: { host }, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

const bundle = (text) =>
  `__nano_define(function (module) { module.exports = { default: { fetch() { return new Response(${JSON.stringify(text)}) } } } });`;

async function deploy(node, app, text) {
  const res = await fetch(`${node.adminUrl}/v1/apps/${app}/versions`, {
    method: "POST",
    headers: { authorization: `Bearer ${node.token}`, "content-type": "application/json" },
    body: JSON.stringify({ bundle: bundle(text) }),
  });
  if (res.status >= 300) throw new Error(`deploy: ${res.status} ${await res.text()}`);
}

function load(url, host) {
  const opts = {
    url: `${url}/`,
    headers: { host },
    connections: Number(values.connections),
    duration: Number(values.duration),
  };
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, "bench/load.mjs"), JSON.stringify(opts)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`))));
  });
}

try {
  const [a, b] = await Promise.all([startNode(), startNode()]);
  const host = "bench-nodes.localhost";
  await deploy(a, "bench-nodes", "warm-up");
  while ((await get(b.url, host)) !== "warm-up");

  const latencies = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const text = `v${i}`;
    const t0 = performance.now();
    await deploy(a, "bench-nodes", text);
    const acked = performance.now();
    while ((await get(b.url, host)) !== text);
    latencies.push({ total: performance.now() - t0, afterAck: performance.now() - acked });
  }
  const stat = (xs) => {
    const s = [...xs].sort((x, y) => x - y);
    return `p50 ${s[Math.floor(s.length / 2)].toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
  };
  console.log(`deploy on node A → served by node B (${latencies.length} deploys)`);
  console.log(`  from the deploy call:       ${stat(latencies.map((l) => l.total))}`);
  console.log(`  after node A acknowledged:  ${stat(latencies.map((l) => l.afterAck))}`);

  const one = await load(a.url, host);
  const both = await Promise.all([load(a.url, host), load(b.url, host)]);
  const rps = (r) => r.total / r.seconds;
  const bad = (r) => r.errors + r.timeouts + r.non2xx;
  console.log(`throughput, hello-world, ${values.connections} connections per node, ${values.duration} s:`);
  console.log(
    `  node A alone:   ${rps(one).toFixed(0)} req/s (p50 ${one.p50} ms, p99 ${one.p99} ms, ${bad(one)} failed)`,
  );
  console.log(
    `  both nodes:     ${(rps(both[0]) + rps(both[1])).toFixed(0)} req/s (A ${rps(both[0]).toFixed(0)}, B ${rps(both[1]).toFixed(0)}; ` +
      `${bad(both[0]) + bad(both[1])} failed)`,
  );
} finally {
  for (const n of nodes) n.proc.kill("SIGTERM");
  await Promise.all(nodes.map((n) => new Promise((r) => (n.proc.exitCode !== null ? r() : n.proc.once("exit", r)))));
  await pg.close();
}
