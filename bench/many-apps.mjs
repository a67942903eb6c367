// Shared by `scripts/bench density` and `scripts/bench cold`: a `nano start` process, many small apps
// deployed through the admin API (bundles ready, a few at a time), requests with their client-side
// latency, and the RSS of the server's whole process tree.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "packages/cli/dist/bin.js");

export async function startServer({ env = {}, args = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-"));
  const proc = spawn(
    process.execPath,
    [
      "--no-node-snapshot",
      CLI,
      "start",
      ...["--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir],
      ...args,
    ],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NANO_LOG_LEVEL: "warn", NANO_QUIET: "1", ...env } },
  );
  const { url, adminUrl } = await new Promise((resolve, reject) => {
    let err = "";
    proc.stderr.on("data", (d) => {
      err += d;
      const m = /ingress on (\S+), admin API on (\S+),/.exec(err);
      if (m) resolve({ url: m[1], adminUrl: m[2] });
    });
    proc.once("exit", (code) => reject(new Error(`nano start exited with ${code}: ${err}`)));
  });
  const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  const admin = async (path, init = {}) => {
    const res = await fetch(`${adminUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    pid: proc.pid,
    url,
    admin,
    metrics: async () => (await admin("/metrics")).text(),
    processes: async () => (await (await admin("/v1/processes")).json()).processes,
    stop: () =>
      new Promise((done) => {
        proc.once("exit", () => {
          rmSync(dataDir, { recursive: true, force: true });
          done();
        });
        proc.kill("SIGTERM");
      }),
  };
}

/** The answer app `name` gives: its own name, so a wrong answer is caught. */
export const answer = (name) => `hello from ${name}`;

export async function deployApps(server, names, concurrency = 4) {
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      const bundle = `__nano_define(function (module) { module.exports = { default: { fetch(request) { return new Response(${JSON.stringify(answer(name))} + " " + new URL(request.url).pathname) } } } });`;
      await server.admin(`/v1/apps/${name}/versions`, { method: "POST", body: JSON.stringify({ bundle }) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const agent = new (await import("node:http")).Agent({ keepAlive: true, maxSockets: 1 });

/**
 * One GET to app `name`; resolves with the client-side ms. Another app's answer throws (the one thing
 * that must never happen); an error status is counted in `failures` (by code) and still timed.
 */
export const failures = {};
export function timedGet(server, name, path = "/") {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(`${server.url}${path}`, { headers: { host: `${name}.localhost` }, agent }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        const ms = performance.now() - t0;
        if (res.statusCode === 200 && body !== `${answer(name)} ${path}`)
          reject(new Error(`${name} answered another app's answer: ${JSON.stringify(body.slice(0, 200))}`));
        else if (res.statusCode !== 200) {
          const code = /"code":"(\w+)"/.exec(body)?.[1] ?? String(res.statusCode);
          failures[code] = (failures[code] ?? 0) + 1;
        }
        resolve(ms);
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** RSS (bytes) of `root` and every descendant, from /proc. */
export function treeRss(root) {
  const parent = new Map();
  const rss = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      rss.set(Number(name), Number(readFileSync(`/proc/${name}/statm`, "utf8").split(" ")[1]) * 4096);
    } catch {
      // gone between the listing and the read
    }
  }
  let total = 0;
  const walk = (pid) => {
    total += rss.get(pid) ?? 0;
    for (const [child, p] of parent) if (p === pid) walk(child);
  };
  walk(root);
  return total;
}

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};
export const MiB = (b) => (b / 1048576).toFixed(1);
