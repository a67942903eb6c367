// Deploy-to-first-served-request: how long from starting a deploy until a request is answered by the
// new version. Two paths, 20 deploys each, medians printed: the admin API given a ready bundle (server
// side: check in a throwaway isolate, store, activate, cold start) and the whole `nano deploy` CLI
// (process start, esbuild bundling, upload, the same server work).
// Usage: scripts/bench deploy [--runs 20]
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NANO = join(ROOT, "nano");
const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } }, allowPositionals: true });
const runs = Number(values.runs);

const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-"));
const server = spawn(
  NANO,
  ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir],
  {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NANO_LOG_LEVEL: "warn", NANO_QUIET: "1" },
  },
);
const { url, adminUrl } = await new Promise((resolve) => {
  let err = "";
  server.stderr.on("data", (d) => {
    err += d;
    const m = /ingress on (\S+), admin API on (\S+),/.exec(err);
    if (m) resolve({ url: m[1], adminUrl: m[2] });
  });
});
const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();

function get(host) {
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

async function untilServed(host, text) {
  for (;;) {
    if ((await get(host)) === text) return;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const api = [];
for (let i = 0; i < runs; i++) {
  const text = `api deploy ${i}`;
  const bundle = `__nano_define(function (module) { module.exports = { default: { fetch() { return new Response(${JSON.stringify(text)}) } } } });`;
  const t0 = performance.now();
  const res = await fetch(`${adminUrl}/v1/apps/bench-api/versions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ bundle }),
  });
  if (!res.ok) throw new Error(await res.text());
  await untilServed("bench-api.localhost", text);
  api.push(performance.now() - t0);
}

const app = join(mkdtempSync(join(tmpdir(), "nano-bench-app-")), "bench-cli");
mkdirSync(app);
const cli = [];
for (let i = 0; i < runs; i++) {
  const text = `cli deploy ${i}`;
  writeFileSync(
    join(app, "index.js"),
    `export default { fetch() { return new Response(${JSON.stringify(text)}) } };\n`,
  );
  const t0 = performance.now();
  const r = spawnSync(NANO, ["deploy", app], {
    env: { ...process.env, NANO_URL: adminUrl, NANO_TOKEN: token, NANO_QUIET: "1" },
  });
  if (r.status !== 0) throw new Error(String(r.stderr));
  await untilServed("bench-cli.localhost", text);
  cli.push(performance.now() - t0);
}
server.kill("SIGTERM");

console.log(`deploy to first served request, median of ${runs} (min–max):`);
console.log(
  `  admin API, bundle ready: ${median(api).toFixed(1)} ms (${Math.min(...api).toFixed(1)}–${Math.max(...api).toFixed(1)})`,
);
console.log(
  `  nano deploy CLI:         ${median(cli).toFixed(1)} ms (${Math.min(...cli).toFixed(1)}–${Math.max(...cli).toFixed(1)})`,
);
