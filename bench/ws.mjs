// WebSocket echo round trips: NANO (`nano start`, the app deployed) and workerd serving the same app
// (bench/apps/ws-echo), one run. Each of C clients opens a socket and sends a 64-byte text message,
// waits for its echo, and sends the next, for --seconds after a warm-up; printed: round trips per
// second over all clients, and the p50/p99 round-trip time. Both servers run unpinned on this machine.
// Usage: scripts/bench ws [--seconds 5] [--clients 1,16]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { startNano, startWorkerd, WORKERD_VERSION } from "./servers.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const APP = join(ROOT, "bench/apps/ws-echo");
const { values } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, clients: { type: "string", default: "1,16" } },
});
const SECONDS = Number(values.seconds);
const CLIENTS = values.clients.split(",").map(Number);
const MESSAGE = "x".repeat(64);

function open(server) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/echo`, { headers: { host: server.host } });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`${server.name}: status ${res.statusCode}`)));
  });
}

/** One client's loop until `until` (performance.now()); its round-trip times in ms. */
function loop(ws, until) {
  return new Promise((resolve, reject) => {
    const times = [];
    let sent = 0;
    const next = () => {
      if (performance.now() >= until) {
        ws.off("message", onMessage);
        resolve(times);
        return;
      }
      sent = performance.now();
      ws.send(MESSAGE);
    };
    const onMessage = () => {
      times.push(performance.now() - sent);
      next();
    };
    ws.on("message", onMessage);
    ws.once("close", (code) => reject(new Error(`closed with ${code}`)));
    next();
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

async function measure(server, clients) {
  const sockets = await Promise.all(Array.from({ length: clients }, () => open(server)));
  await Promise.all(sockets.map((ws) => loop(ws, performance.now() + 1000))); // warm-up
  const start = performance.now();
  const all = (await Promise.all(sockets.map((ws) => loop(ws, start + SECONDS * 1000)))).flat();
  const elapsed = (performance.now() - start) / 1000;
  for (const ws of sockets) ws.close();
  all.sort((a, b) => a - b);
  return { rps: all.length / elapsed, p50: pct(all, 50), p99: pct(all, 99) };
}

const rows = [];
for (const [name, start] of [
  ["nano", () => startNano([], { app: APP })],
  ["workerd", () => startWorkerd([], { app: APP })],
]) {
  const server = await start();
  try {
    for (const c of CLIENTS) rows.push({ server: name, clients: c, ...(await measure(server, c)) });
  } finally {
    await server.stop();
  }
}

console.log(`WebSocket echo, 64-byte text messages, ${SECONDS} s per row (workerd ${WORKERD_VERSION})`);
console.log("server   clients  round trips/s   p50 ms   p99 ms");
for (const r of rows) {
  console.log(
    `${r.server.padEnd(8)} ${String(r.clients).padStart(7)}  ${r.rps.toFixed(0).padStart(13)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}`,
  );
}
