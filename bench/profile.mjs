// Where each µs of a request goes in `nano start`: one runtime process with one worker thread, run
// with --cpu-prof (NODE_OPTIONS reaches every process `nano start` forks, and worker threads write
// their own profiles), under hello-world load. Each sample in the load window is put in a category
// by the innermost frame that has one; a thread's profile time is scaled to the CPU time /proc
// gives that thread in the same window (profiles sample wall time, which a busy machine stretches).
// Prints µs per request by category and thread, and the top self-time functions on both sides of
// the thread hop (source-mapped to packages/*/src). Printed, never asserted.
// Usage: scripts/bench profile [--duration 8] [--connections 64] [--case hello|echo|stream]
//        [--interval 500] [--top 10] [--detail] [--keep]
// --detail: the top functions of each category too; --keep: keep the .cpuprofile files.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startNano } from "./servers.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOAD = fileURLToPath(new URL("./load.mjs", import.meta.url));
const TICK_US = 1e6 / 100;
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "64" },
    case: { type: "string", default: "hello" },
    interval: { type: "string", default: "500" },
    top: { type: "string", default: "10" },
    keep: { type: "boolean", default: false },
    detail: { type: "boolean", default: false },
  },
});
const PATHS = { hello: "/", echo: "/echo", stream: "/stream" };
const path = PATHS[values.case];
if (!path) throw new Error(`--case is one of ${Object.keys(PATHS).join(", ")}`);

// Categories, tried in order on a frame (url, function name); the innermost frame that matches one
// names the sample. Frames that match none (node:events, promise jobs, streams, timers, buffers)
// are transparent: the sample goes to the caller's category.
const NODE_SERVER_RESPONSE =
  /^(writeFromReadableStream.*|readWithoutBlocking|buildOutgoingHttpHeaders|flushHeaders|trySetContentLength|writeDefaultHeaders|responseViaCache|responseViaResponseObject|handleResponseError|makeCloseHandler|drainIncoming)$/;
const HTTP_SERVER_RESPONSE =
  /^(ServerResponse|writeHead|_implicitHeader|resOnFinish|onServerResponseClose|setHeader|_storeHeader|_finish|detachSocket|assignSocket)$/;
const ISOLATE = "isolate: entry, app, in-isolate runtime";
const CATEGORIES = [
  ["GC", (_u, f) => f === "(garbage collector)"],
  [
    "log (pino)",
    (u) => /\/(pino|pino-std-serializers|sonic-boom|@pinojs)\/|control-plane\/dist\/(logger|log-ring)\.js/.test(u),
  ],
  ["metrics (prom-client)", (u) => /\/prom-client\/|control-plane\/dist\/metrics\.js/.test(u)],
  ["routing: app lookup (SQLite)", (u) => /better-sqlite3|control-plane\/dist\/(registry\/|serving-state\.js)/.test(u)],
  ["routing (Hono, router)", (u) => /\/hono\/dist\/|control-plane\/dist\/router\.js/.test(u)],
  [
    "thread hop (Piscina, MessagePort)",
    (u) =>
      /\/piscina\/|node:internal\/worker|worker\/dist\/(thread\/entry|pool\/)|control-plane\/dist\/port-stream\.js/.test(
        u,
      ),
  ],
  [ISOLATE, (u) => /isolated-vm|worker\/dist\/(isolate\/|thread\/isolate-host)/.test(u)],
  [
    "response write",
    (u, f) =>
      /node:_http_outgoing/.test(u) ||
      (/@hono\/node-server/.test(u) && NODE_SERVER_RESPONSE.test(f)) ||
      (/node:_http_server/.test(u) && HTTP_SERVER_RESPONSE.test(f)),
  ],
  ["HTTP parse", (u) => /node:_http_(common|server|incoming)/.test(u)],
  [
    "request reports to the supervisor (IPC)",
    (u) =>
      /node:internal\/child_process|control-plane\/dist\/(runtime-main|runtime-processes|start-server)\.js/.test(u),
  ],
  [
    "dispatch (ingress, Web Request/Response)",
    (u) =>
      /control-plane\/dist\/(ingress|app-governor|request-cf|server)\.js|@hono\/node-server|undici|node:internal\/crypto/.test(
        u,
      ),
  ],
  ["native, unattributed (program)", (_u, f) => f === "(program)"],
];
const OTHER = "other JS (event loop, promises, streams)";
const IDLE = "(idle)";

function categoryOf(node, parents, memo) {
  if (memo.has(node.id)) return memo.get(node.id);
  const { url, functionName } = node.callFrame;
  let cat = functionName === IDLE ? IDLE : CATEGORIES.find(([, match]) => match(url, functionName))?.[0];
  if (!cat) {
    const parent = parents.get(node.id);
    cat = parent ? categoryOf(parent, parents, memo) : OTHER;
  }
  memo.set(node.id, cat);
  return cat;
}

/** µs by category and by function (self time) within [from, to] (µs on the monotonic clock). */
function analyse(file, from, to) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parents = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parents.set(c, n);
  const memo = new Map();
  const cats = new Map();
  const fns = new Map();
  const byCat = new Map();
  let busy = 0;
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    // A sample stands for the time until the next one.
    const dt = (p.timeDeltas[i + 1] ?? 0) | 0;
    if (t < from || t > to) continue;
    const node = byId.get(p.samples[i]);
    const cat = categoryOf(node, parents, memo);
    if (cat === IDLE) continue;
    busy += dt;
    cats.set(cat, (cats.get(cat) ?? 0) + dt);
    const { url, functionName, lineNumber, columnNumber } = node.callFrame;
    // Node's own functions are named with the nearest caller of ours, to say whose call it was.
    let caller = "";
    if (!url.startsWith("file://")) {
      for (let up = parents.get(node.id); up; up = parents.get(up.id)) {
        const c = up.callFrame;
        if (c.url.startsWith("file://")) {
          caller = `${c.functionName || "(anonymous)"}\t${c.url}\t${c.lineNumber}\t${c.columnNumber}`;
          break;
        }
      }
    }
    const key = `${functionName || "(anonymous)"}\t${url}\t${lineNumber}\t${columnNumber}\t${caller}`;
    fns.set(key, (fns.get(key) ?? 0) + dt);
    const inCat = byCat.get(cat) ?? new Map();
    inCat.set(key, (inCat.get(key) ?? 0) + dt);
    byCat.set(cat, inCat);
  }
  return { busy, cats, fns, byCat };
}

const sourceMaps = new Map();
/** file:line of a frame, through the build's source map to packages/<pkg>/src when there is one. */
function where(url, line, column) {
  if (!url) return "(native)";
  if (!url.startsWith("file://")) return `${url}:${line + 1}`;
  const file = fileURLToPath(url);
  if (!sourceMaps.has(file)) {
    let map = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
    } catch {}
    sourceMaps.set(file, map);
  }
  const map = sourceMaps.get(file);
  const entry = map?.findEntry(line, column);
  if (entry?.originalSource) {
    const src = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : join(file, "..", entry.originalSource);
    return `${relative(ROOT, src)}:${entry.originalLine + 1}`;
  }
  return `${relative(ROOT, file).replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")}:${line + 1}`;
}

/** CPU µs of each thread of `pid`, by tid. */
function threadCpu(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) * TICK_US);
    } catch {}
  }
  return out;
}
const delta = (a, b) => new Map([...b].map(([tid, us]) => [tid, us - (a.get(tid) ?? 0)]));
const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function load(opts) {
  const proc = spawn("taskset", ["-c", "0", process.execPath, LOAD, JSON.stringify(opts)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  let out = "";
  proc.stdout.on("data", (d) => {
    out += d;
  });
  return new Promise((resolve, reject) =>
    proc.once("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`)))),
  );
}

/** nano_cpu_seconds_total and nano_requests_total for the app, summed over labels. */
async function isolateCounters(server) {
  const text = await server.admin("/metrics");
  const total = (name) =>
    text
      .split("\n")
      .filter((l) => l.startsWith(`${name}{`) && l.includes('app="bench"'))
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return { cpuS: total("nano_cpu_seconds_total"), requests: total("nano_requests_total") };
}

/**
 * One `nano start` under load: /proc CPU per thread and the isolate CPU clock over the window, and
 * with `profDir` the profiles (written when the processes exit).
 */
async function run(profDir) {
  const server = await startNano(["taskset", "-c", "1"], {
    env: profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir} --cpu-prof-interval=${values.interval}` } : {},
    args: ["--processes", "1", "--threads", "1"],
  });
  try {
    const runtimePid = Number(
      readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, "utf8")
        .trim()
        .split(" ")
        .find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("runtime-main.js")),
    );
    await load({ ...opts(server), duration: 2 }); // warm-up: JIT, spare isolates
    await sleep(300);
    const counters0 = await isolateCounters(server);
    const sup0 = threadCpu(server.pid);
    const rt0 = threadCpu(runtimePid);
    const from = nowUs();
    const r = await load({ ...opts(server), duration: Number(values.duration) });
    const to = nowUs();
    const sup = delta(sup0, threadCpu(server.pid));
    const rt = delta(rt0, threadCpu(runtimePid));
    await sleep(300); // the runtime process reports every 100 ms
    const counters1 = await isolateCounters(server);
    const n = r.total;
    // The worker thread is the busiest thread of the runtime process after the main one.
    const workerTid = [...rt].filter(([tid]) => tid !== runtimePid).sort((a, b) => b[1] - a[1])[0][0];
    return {
      server,
      runtimePid,
      from,
      to,
      r,
      // µs per request
      ingress: rt.get(runtimePid) / n,
      worker: rt.get(workerTid) / n,
      supervisor: sup.get(server.pid) / n,
      helpers: (sum(rt) - rt.get(runtimePid) - rt.get(workerTid) + sum(sup) - sup.get(server.pid)) / n,
      isolate: ((counters1.cpuS - counters0.cpuS) * 1e6) / Math.max(1, counters1.requests - counters0.requests),
    };
  } finally {
    await server.stop();
  }
}

function opts(server) {
  const o = { url: `${server.url}${path}`, connections: Number(values.connections), headers: { host: server.host } };
  if (values.case === "echo") {
    o.method = "POST";
    o.body = JSON.stringify({ pad: "x".repeat(1014) });
    o.headers["content-type"] = "application/json";
  }
  return o;
}

// Magnitudes from a run without the profiler (it costs CPU of its own), shares from a profiled one.
const plain = await run(null);
const profDir = await mkdtemp(join(tmpdir(), "nano-profile-"));
const prof = await run(profDir);
const files = readdirSync(profDir);
const profileFile = (pid, main) => {
  const found = files.filter((n) => n.split(".")[3] === String(pid) && (n.split(".")[4] === "0") === main);
  if (found.length !== 1) throw new Error(`expected one profile for ${pid} (main ${main}) in ${profDir}: ${files}`);
  return join(profDir, found[0]);
};
const threads = [
  { name: "ingress", cpu: plain.ingress, prof: analyse(profileFile(prof.runtimePid, true), prof.from, prof.to) },
  { name: "worker", cpu: plain.worker, prof: analyse(profileFile(prof.runtimePid, false), prof.from, prof.to) },
  { name: "supervisor", cpu: plain.supervisor, prof: analyse(profileFile(prof.server.pid, true), prof.from, prof.to) },
];

// A thread's profile time, as µs per request of the unprofiled run.
const perReq = (thread, us) => (us / Math.max(1, thread.prof.busy)) * thread.cpu;
const rows = new Map();
for (const [i, thread] of threads.entries()) {
  for (const [cat, us] of thread.prof.cats) {
    const row = rows.get(cat) ?? [0, 0, 0];
    row[i] += perReq(thread, us);
    rows.set(cat, row);
  }
}
const HELPERS = "other threads of both (V8 GC/compiler helpers, libuv)";
const r = plain.r;
const requests = r.total;

const order = [...CATEGORIES.map(([c]) => c), OTHER];
const sorted = [...rows].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
const f1 = (n) => (n >= 0.05 ? n.toFixed(1) : "·");
console.log(
  `per-request CPU of nano start (1 runtime process, 1 worker thread, pinned to core 1; load on core 0), ${values.case}, ` +
    `${values.connections} connections, ${values.duration}s, --cpu-prof-interval ${values.interval}µs`,
);
console.log(
  `without the profiler: ${(requests / r.seconds).toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
    `errors ${r.errors + r.non2xx}; /proc CPU per request: ingress ${plain.ingress.toFixed(1)}, worker ` +
    `${plain.worker.toFixed(1)}, supervisor ${plain.supervisor.toFixed(1)}, other threads ${plain.helpers.toFixed(1)} µs; ` +
    `isolate CPU clock ${plain.isolate.toFixed(1)} µs`,
);
console.log(
  `with the profiler: ${(prof.r.total / prof.r.seconds).toFixed(0)} req/s; its samples share out each thread's ` +
    "CPU above (a sample goes to the innermost frame with a category)",
);
console.log(
  `\n${"µs per request".padEnd(48)}${"ingress".padStart(9)}${"worker".padStart(9)}${"superv.".padStart(9)}${"total".padStart(9)}`,
);
let grand = 0;
for (const [cat, [a, b, c]] of sorted) {
  grand += a + b + c;
  console.log(
    `${cat.padEnd(48)}${f1(a).padStart(9)}${f1(b).padStart(9)}${f1(c).padStart(9)}${f1(a + b + c).padStart(9)}`,
  );
  // isolated-vm's CPU clock for the isolate (thread CPU while inside it): app + in-isolate runtime,
  // the Request/Response work. The host profiler cannot see into the isolate, so this is the split.
  if (cat === ISOLATE)
    console.log(`${"  of which inside the isolate (its CPU clock)".padEnd(48)}${f1(plain.isolate).padStart(18)}`);
}
const col = (i) => sorted.reduce((a, [, v]) => a + v[i], 0);
console.log(`${HELPERS.padEnd(48)}${"".padStart(27)}${f1(plain.helpers).padStart(9)}`);
console.log(
  `${"total".padEnd(48)}${f1(col(0)).padStart(9)}${f1(col(1)).padStart(9)}${f1(col(2)).padStart(9)}` +
    `${f1(grand + plain.helpers).padStart(9)}`,
);

function printTop(thread, fns, n) {
  for (const [key, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    const [fn, url, line, column, callerFn, callerUrl, callerLine, callerColumn] = key.split("\t");
    const via = callerFn ? ` ← ${callerFn} ${where(callerUrl, Number(callerLine), Number(callerColumn))}` : "";
    console.log(
      `${perReq(thread, us).toFixed(1).padStart(7)}  ${fn.padEnd(24)} ${where(url, Number(line), Number(column))}${via}`,
    );
  }
}
const top = Number(values.top);
for (const thread of threads.slice(0, 2)) {
  console.log(`\ntop ${top} self time, ${thread.name} thread (µs per request)`);
  printTop(thread, thread.prof.fns, top);
}
if (values.detail) {
  for (const thread of threads) {
    for (const [cat, fns] of thread.prof.byCat) {
      console.log(`\n${thread.name}: ${cat}`);
      printTop(thread, fns, 6);
    }
  }
}
if (values.keep) console.log(`\nprofiles kept in ${profDir}`);
else rmSync(profDir, { recursive: true, force: true });
