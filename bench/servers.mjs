// The servers bench/compare.mjs and bench/profile.mjs load: raw node:http, workerd (from the npm
// package `workerd`, its binary inside) and NANO as users run it (`nano start`, the app deployed
// with `nano deploy`, default logging). `prefix` is a command line to run the server under
// (`taskset -c 1`); each resolves to { name, pid, url, host, stop(), ... }.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const APP_DIR = join(ROOT, "bench/apps/compare");
const CLI = join(ROOT, "packages/cli/dist/bin.js");
const require = createRequire(import.meta.url);
const workerd = require("workerd");

export const WORKERD_VERSION = workerd.version;

function launch(prefix, cmd, args, opts) {
  const [bin, ...rest] = [...prefix, cmd, ...args];
  return spawn(bin, rest, { cwd: ROOT, ...opts });
}

async function stopProcess(proc, signal = "SIGTERM") {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  await once(proc, "exit");
  clearTimeout(timer);
}

/** Waits for a line matching `re` on the process's stderr; resolves with the match. */
function waitFor(proc, re, what) {
  return new Promise((resolve, reject) => {
    let err = "";
    const onData = (d) => {
      err += d;
      const m = re.exec(err);
      if (m) {
        proc.stderr.off("data", onData);
        proc.stderr.resume(); // keep draining
        resolve(m);
      }
    };
    proc.stderr.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`${what} exited ${code}: ${err}`)));
  });
}

export async function startRaw(prefix = []) {
  const proc = launch(prefix, process.execPath, ["bench/raw-node.mjs"], { stdio: ["ignore", "ignore", "pipe"] });
  const [, url] = await waitFor(proc, /serving raw on (http:\/\/\S+)/, "raw node:http");
  return { name: "raw", pid: proc.pid, url, host: "bench.localhost", stop: () => stopProcess(proc) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

/** The capnp config that serves the compare app on 127.0.0.1:`port` from one worker. */
export function workerdConfig(port) {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .bench) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const bench :Workerd.Worker = (
  modules = [ (name = "index.js", esModule = embed "index.js") ],
  compatibilityDate = "${workerd.compatibilityDate}",
);
`;
}

/** `app`: a directory with another index.js to serve. */
export async function startWorkerd(prefix = [], { app = APP_DIR } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "nano-bench-workerd-"));
  copyFileSync(join(app, "index.js"), join(dir, "index.js"));
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), workerdConfig(port));
  const proc = launch(prefix, workerd.default, ["serve", join(dir, "config.capnp")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  proc.stderr.on("data", (d) => {
    err = (err + d).slice(-4096);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`workerd exited ${proc.exitCode}: ${err}`);
    try {
      await fetch(url);
      break;
    } catch {
      if (i > 200) throw new Error(`workerd did not listen on ${url}: ${err}`);
      await sleep(50);
    }
  }
  return {
    name: "workerd",
    pid: proc.pid,
    url,
    host: "bench.localhost",
    stop: async () => {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `nano start` (the CLI's own entry, as ./nano runs it, without the launcher's rebuild check), then
 * the compare app deployed with `nano deploy` as app `bench`. Logs go to a file, as a service's
 * would. `env` adds to the environment (NODE_OPTIONS for profiles); `args` adds to `nano start`;
 * `app` is a directory with another index.js to deploy.
 */
export async function startNano(prefix = [], { env = {}, args = [], app = APP_DIR } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-"));
  const logPath = join(dataDir, "nano.log");
  const proc = launch(
    prefix,
    process.execPath,
    [
      "--no-node-snapshot",
      CLI,
      "start",
      ...["--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir],
      ...args,
    ],
    { stdio: ["ignore", openSync(logPath, "a"), "pipe"], env: { ...process.env, ...env } },
  );
  const [, url, adminUrl] = await waitFor(proc, /ingress on (\S+), admin API on (\S+),/, "nano start");
  const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  const appDir = join(dataDir, "app", "bench");
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, "nano.json"), JSON.stringify({ name: "bench" }));
  copyFileSync(join(app, "index.js"), join(appDir, "index.js"));
  const deployed = spawnSync(process.execPath, ["--no-node-snapshot", CLI, "deploy", appDir], {
    env: { ...process.env, NANO_URL: adminUrl, NANO_TOKEN: token, NANO_QUIET: "1" },
  });
  if (deployed.status !== 0) {
    await stopProcess(proc);
    throw new Error(`nano deploy failed: ${deployed.stderr}`);
  }
  const admin = async (path) =>
    (await fetch(`${adminUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).text();
  return {
    name: "nano",
    pid: proc.pid,
    url,
    host: "bench.localhost",
    adminUrl,
    admin,
    logPath,
    stop: async () => {
      await stopProcess(proc);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
