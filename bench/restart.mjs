// How fast a dead runtime process serves again: `nano start --processes 2` with app `healthy`. Each
// round SIGKILLs the runtime process of slot 1 and times until /v1/processes shows slot 1 ready under
// a new pid, while a client sends `healthy` a request over a fresh connection every ~5 ms and counts
// failures. The supervisor restarts a first death at once but backs off while a slot keeps dying
// within 30 s (250 ms, 500 ms, …), so each round prints the delay it logged (restartInMs), and the
// summary gives the start-up itself (restart time − delay) and the first-death rounds on their own.
// Usage: scripts/bench restart [--rounds 6] [--gap 2]
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NANO = join(ROOT, "nano");
const { values } = parseArgs({
  options: { rounds: { type: "string", default: "6" }, gap: { type: "string", default: "2" } },
});
const rounds = Number(values.rounds);
const gapMs = Number(values.gap) * 1000;

const dataDir = mkdtempSync(join(tmpdir(), "nano-bench-"));
const server = spawn(
  NANO,
  ["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, "--processes", "2"],
  {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NANO_LOG_LEVEL: "warn", NANO_QUIET: "1", NANO_LOG_FORMAT: "json" },
  },
);
// The supervisor's JSON log lines on stdout: the restart delay of each dead runtime process, by pid.
const restartInMs = new Map();
createInterface({ input: server.stdout }).on("line", (line) => {
  try {
    const r = JSON.parse(line);
    if (r.event === "runtime-crash") restartInMs.set(r.runtimePid, r.restartInMs);
  } catch {}
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

const app = join(mkdtempSync(join(tmpdir(), "nano-bench-app-")), "healthy");
mkdirSync(app);
writeFileSync(join(app, "nano.json"), JSON.stringify({ name: "healthy" }));
writeFileSync(join(app, "index.js"), `export default { fetch() { return new Response("hi") } };\n`);
const deployed = spawnSync(NANO, ["deploy", app], {
  env: { ...process.env, NANO_URL: adminUrl, NANO_TOKEN: token, NANO_QUIET: "1" },
});
if (deployed.status !== 0) throw new Error(String(deployed.stderr));

/** Null when `healthy` answered "hi", else what went wrong. */
function get() {
  return new Promise((resolve) => {
    const req = request(`${url}/`, { headers: { host: "healthy.localhost" }, agent: false, timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(res.statusCode === 200 && body === "hi" ? null : `HTTP ${res.statusCode} ${body}`));
      res.on("error", (e) => resolve(e.message));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve(e.message));
    req.end();
  });
}

// The client: a request every ~5 ms, each counted against the round it was sent in (0: before any kill).
let round = 0;
const sent = Array(rounds + 1).fill(0);
const failed = Array(rounds + 1).fill(0);
const failures = {};
const pending = new Set();
const client = setInterval(() => {
  const r = round;
  sent[r]++;
  const p = get().then((failure) => {
    pending.delete(p);
    if (!failure) return;
    failed[r]++;
    failures[failure] = (failures[failure] ?? 0) + 1;
  });
  pending.add(p);
}, 5);

const headers = { authorization: `Bearer ${token}` };
const slot1 = async () =>
  (await (await fetch(`${adminUrl}/v1/processes`, { headers })).json()).processes.find((p) => p.slot === 1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `runtime process restart after SIGKILL, 2 processes, ${rounds} rounds ${gapMs / 1000}s apart, ${process.version}`,
);
await sleep(1_000); // both processes warm
const results = [];
for (let i = 1; i <= rounds; i++) {
  const old = await slot1();
  round = i;
  const t0 = performance.now();
  process.kill(old.pid, "SIGKILL");
  let now;
  for (;;) {
    now = await slot1();
    if (now.pid !== null && now.pid !== old.pid && now.state === "ready") break;
    await sleep(2);
  }
  const ms = performance.now() - t0;
  while (!restartInMs.has(old.pid)) await sleep(10);
  const delay = restartInMs.get(old.pid);
  results.push({ ms, delay });
  await sleep(gapMs);
  console.log(
    `round ${i}: pid ${old.pid} → ${now.pid} ready in ${ms.toFixed(1).padStart(7)} ms ` +
      `(backoff ${String(delay).padStart(4)} ms, start-up ${(ms - delay).toFixed(1).padStart(6)} ms); ` +
      `healthy failures ${failed[i]} of ${sent[i]}`,
  );
}
clearInterval(client);
await Promise.all(pending);

const firsts = results.filter((r) => r.delay === 0).map((r) => r.ms);
console.log(
  `median start-up (restart time − backoff): ${median(results.map((r) => r.ms - r.delay)).toFixed(1)} ms over ${rounds} rounds`,
);
console.log(`median restart time of first deaths: ${median(firsts).toFixed(1)} ms over ${firsts.length} round(s)`);
const total = (xs) => xs.reduce((a, b) => a + b, 0);
console.log(`healthy requests: ${total(failed)} failed of ${total(sent)} sent (${failed[0]} before the first kill)`);
for (const [failure, n] of Object.entries(failures)) console.log(`  ${n}× ${failure}`);

server.kill("SIGTERM");
const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
await once(server, "exit");
clearTimeout(timer);
server.stderr.destroy();
