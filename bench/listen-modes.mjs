// Two node:http hello-world processes sharing one port on Linux, three ways: `reusePort` (two independent
// processes, each with its own SO_REUSEPORT socket, the kernel spreads connections), node:cluster with
// round-robin (the primary accepts and hands connections to workers) and node:cluster with SCHED_NONE (workers
// accept from one shared socket). Prints req/s, p50/p99 latency, errors, server CPU per request (all server
// processes, the cluster primary included) and how requests were split between the two processes.
// With --kill, one server process is killed with SIGKILL 3 s into each run, to see what the clients notice.
// Usage: node bench/listen-modes.mjs [--duration 8] [--connections 50] [--kill]
import { fork } from "node:child_process";
import cluster from "node:cluster";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

const SELF = fileURLToPath(import.meta.url);
const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux
const [role, port, policy] = process.argv.slice(2);

/** Answers "count" messages from whoever forked us with the requests each server process has served. */
function answerCounts(counts) {
  process.on("message", async (msg) => {
    if (msg === "count") process.send({ counts: await counts() });
  });
  process.on("disconnect", () => process.exit(0)); // the parent is gone
}

/** A hello-world server; reports its request count when asked. */
function serve(listenOptions) {
  let served = 0;
  const server = createServer((_req, res) => {
    served++;
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
    res.end("Hello World");
  });
  server.listen(listenOptions, () => process.send({ ready: true }));
  answerCounts(() => ({ [process.pid]: served }));
}

/** Sends "count" to each process (ChildProcess or cluster Worker) and merges the answers. */
async function countsOf(procs) {
  const ask = (p) =>
    new Promise((resolve) => {
      p.once("message", (m) => resolve(m.counts));
      p.send("count");
    });
  return Object.assign({}, ...(await Promise.all(procs.map(ask))));
}

if (role === "reuseport") {
  serve({ port: Number(port), host: "127.0.0.1", reusePort: true });
} else if (role === "cluster" && cluster.isWorker) {
  serve({ port: Number(port), host: "127.0.0.1" });
} else if (role === "cluster") {
  cluster.schedulingPolicy = policy === "none" ? cluster.SCHED_NONE : cluster.SCHED_RR;
  const workers = [cluster.fork(), cluster.fork()];
  await Promise.all(workers.map((w) => once(w, "message")));
  process.send({ pids: workers.map((w) => w.process.pid) });
  answerCounts(() => countsOf(Object.values(cluster.workers).filter((w) => w.isConnected())));
} else {
  await bench();
}

async function bench() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "8" },
      connections: { type: "string", default: "50" },
      kill: { type: "boolean", default: false },
    },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const lastCpu = new Map();

  /** CPU time (user + system, fields 14 and 15 of /proc/<pid>/stat) in µs; the last value seen once it is gone. */
  function cpuMicros(pid) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      lastCpu.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_US);
    } catch {}
    return lastCpu.get(pid) ?? 0;
  }
  const totalCpu = (pids) => pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);

  /** A port that is free right now: listen on 0 without reusePort, read it, close. */
  async function freePort() {
    const probe = createServer();
    await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  /** Starts the processes for one mode: `top` are ours (forked), `servers` are the pids that serve. */
  async function start(mode, port) {
    const ready = async (p) => (await once(p, "message"))[0];
    if (mode === "reusePort") {
      const top = [fork(SELF, ["reuseport", port]), fork(SELF, ["reuseport", port])];
      await Promise.all(top.map(ready));
      return { top, servers: top.map((p) => p.pid) };
    }
    const primary = fork(SELF, ["cluster", port, mode === "cluster none" ? "none" : "rr"]);
    const { pids } = await ready(primary);
    return { top: [primary], servers: pids };
  }

  async function measure(mode) {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const { top, servers } = await start(mode, new URL(url).port);
    const exited = top.map((p) => once(p, "exit"));
    const pids = [...new Set([...top.map((p) => p.pid), ...servers])]; // the cluster primary counts too
    await autocannon({ url, connections, duration: 2 }); // warm-up
    const counts0 = await countsOf(top);
    const cpu0 = totalCpu(pids);
    const victim = servers[0];
    const timer = values.kill
      ? setTimeout(() => {
          cpuMicros(victim); // remember its CPU before it disappears
          process.kill(victim, "SIGKILL");
        }, 3000)
      : undefined;
    const run = autocannon({ url, connections, duration });
    const errorCodes = {};
    run.on("reqError", (e) => {
      const code = e.code ?? e.message;
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    });
    const r = await run;
    clearTimeout(timer);
    const cpu = totalCpu(pids) - cpu0;
    const counts1 = await countsOf(top.filter((p) => p.connected));
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {} // already gone
    }
    await Promise.all(exited);

    const served = servers.map((pid) => (pid in counts1 ? counts1[pid] - counts0[pid] : undefined));
    const known = served.reduce((sum, n) => sum + (n ?? 0), 0);
    const spread = served.map((n) => (n === undefined ? "killed" : `${((100 * n) / known).toFixed(1)}%`)).join(" / ");
    console.log(
      `${mode.padEnd(13)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${r.latency.p50} ms   ` +
        `p99 ${r.latency.p99} ms   errors ${r.errors + r.non2xx}   ${(cpu / r.requests.total).toFixed(1)} µs CPU/req   ` +
        `spread ${spread} (${served.map((n) => n ?? "?").join(" / ")})`,
    );
    if (values.kill) console.log(`${"".padEnd(13)} error kinds ${JSON.stringify(errorCodes)}, timeouts ${r.timeouts}`);
  }

  console.log(
    `2 server processes on one port, ${connections} connections, ${duration}s each, ${process.version}` +
      (values.kill ? ", one server process SIGKILLed 3s into each run" : ""),
  );
  for (const mode of ["reusePort", "cluster rr", "cluster none"]) await measure(mode);
}
