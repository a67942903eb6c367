/**
 * Outbound WebSockets: `fetch(url, { headers: { Upgrade: "websocket" } })` from an isolate to a real
 * `ws` server on loopback, under the outbound address policy.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "./snapshot.js";
import { MAX_MESSAGE_BYTES, WebSocketBridge } from "./websocket-bridge.js";
import { joinClient } from "./websocket-client.js";

const snapshot = loadRuntimeSnapshot();
const live: RuntimeIsolate[] = [];
afterEach(() => {
  for (const i of live.splice(0)) i.dispose();
});

let http: Server;
let wss: WebSocketServer;
let url: string;
const serverSaw: { headers: Record<string, unknown>; closes: number[] } = { headers: {}, closes: [] };

beforeAll(async () => {
  http = createServer((_req, res) => {
    res.writeHead(404, { "x-why": "no socket here" });
    res.end("nope");
  });
  wss = new WebSocketServer({ noServer: true });
  http.on("upgrade", (req, socket, head) => {
    if (req.url === "/refuse") {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nX-Why: refused\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      serverSaw.headers = req.headers;
      ws.send("welcome");
      ws.on("message", (data, isBinary) => ws.send(isBinary ? data : `pong ${data}`, { binary: isBinary }));
      ws.on("close", (code) => serverSaw.closes.push(code));
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  wss.close();
  await new Promise((r) => http.close(r));
});

function isolate(allowPrivate: boolean): RuntimeIsolate {
  const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64, outbound: { allowPrivate } });
  live.push(iso);
  return iso;
}

describe("outbound WebSockets", () => {
  it("opens one the app accepts: messages both ways, then the app's close reaches the server", async () => {
    const iso = isolate(true);
    const r = await iso.evaluate(
      `(async () => {
        const res = await fetch(${JSON.stringify(`${url}/chat`)}, { headers: { Upgrade: "websocket", "X-Token": "t1" } });
        const ws = res.webSocket;
        const got = [];
        const done = new Promise((resolve) => ws.addEventListener("message", (e) => {
          got.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]);
          if (got.length === 3) resolve();
        }));
        ws.accept();
        ws.send("ping");
        ws.send(new Uint8Array([7, 8]));
        await done;
        const closed = new Promise((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
        ws.close(1000, "done");
        return [res.status, got, await closed];
      })()`,
      10_000,
    );
    expect(r.text).toBe("[ 101, [ 'welcome', 'pong ping', [ 7, 8 ] ], 1000 ]");
    expect(serverSaw.headers["x-token"]).toBe("t1");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(serverSaw.closes).toContain(1000);
    expect(iso.openSockets).toBe(0);
  });

  it("gives a server's refusal as a response without a webSocket", async () => {
    const iso = isolate(true);
    const r = await iso.evaluate(
      `fetch(${JSON.stringify(`${url}/refuse`)}, { headers: { upgrade: "websocket" } })
        .then((res) => [res.status, res.webSocket, res.headers.get("x-why")])`,
    );
    expect(r.text).toBe("[ 403, null, 'refused' ]");
  });

  it("refuses private addresses under the default policy, as fetch does", async () => {
    const iso = isolate(false);
    const r = await iso.evaluate(
      `fetch(${JSON.stringify(`${url}/chat`)}, { headers: { upgrade: "websocket" } }).then(() => "opened", (e) => String(e))`,
    );
    expect(r.text).toMatch(/TypeError: .*refused: private\/loopback addresses are not allowed/);
  });

  it("closes the connection with 1011 when the isolate is stopped by a limit", async () => {
    const iso = isolate(true);
    serverSaw.closes.length = 0;
    await iso.evaluate(
      `fetch(${JSON.stringify(`${url}/chat`)}, { headers: { upgrade: "websocket" } }).then((res) => {
        globalThis.ws = res.webSocket;
        ws.accept();
        ws.addEventListener("message", (e) => { if (e.data === "pong spin") for (;;); });
      })`,
    );
    expect(iso.openSockets).toBe(1);
    await iso.evaluate(`ws.send("spin"); 1`);
    const until = Date.now() + 5_000;
    while (serverSaw.closes.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(iso.alive).toBe(false);
    expect(serverSaw.closes).toEqual([1011]);
  });

  it("refuses an outbound socket past the app's limits.websockets, with the reason", async () => {
    const iso = isolate(true);
    iso.loadApp(
      `__nano_define(function (module) {
        module.exports = { default: { async fetch() {
          const got = [];
          for (let i = 0; i < 3; i++) {
            try {
              const res = await fetch(${JSON.stringify(`${url}/chat`)}, { headers: { upgrade: "websocket" } });
              res.webSocket.accept();
              got.push(res.status);
            } catch (err) { got.push(String(err)); }
          }
          return new Response(JSON.stringify(got));
        } } };
      });`,
      { filename: "out.js" },
    );
    const res = await iso.fetch(
      { requestId: "r", method: "GET", url: "http://app.test/", headers: [], body: null },
      { cpuMs: 1_000, wallMs: 10_000, websockets: 2 },
    );
    const got = JSON.parse(Buffer.from(res.response.body as ArrayBuffer).toString());
    expect(got.slice(0, 2)).toEqual([101, 101]);
    expect(got[2]).toMatch(
      /TypeError: .*the app has 2 outbound WebSockets open in this isolate, its limit \(limits.websockets\)/,
    );
    expect(iso.openSockets).toBe(2);
  });
});

// Reading pauses while 2 MiB of the server's messages wait for their entry (here: entries the bridge
// holds, as a spent background budget does).
describe("an outbound WebSocket's reading", () => {
  it("pauses while 2 MiB of the server's messages wait for their entry, and resumes as they run", async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, maxPayload: 2 * MAX_MESSAGE_BYTES });
    wss.on("connection", (ws) => {
      for (let i = 0; i < 8; i++) ws.send(Buffer.alloc(MAX_MESSAGE_BYTES - 16, i));
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const held: ((cpuMs: number) => void)[] = [];
    let delivered = 0;
    const bridge = new WebSocketBridge({
      enter: (_name, _args, done) => {
        delivered++;
        held.push(done);
      },
    });
    const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
    await new Promise((r) => client.once("open", r));
    joinClient(client, bridge.open(true));
    const settle = () => new Promise((r) => setTimeout(r, 300));
    await settle();
    // 8 messages of about 1 MiB were sent, well under the 32-message bound: only the byte bound holds them.
    expect(delivered).toBeGreaterThanOrEqual(2);
    expect(delivered).toBeLessThan(8);
    // As their entries run, reading resumes and the rest arrive.
    for (let i = 0; i < 20 && delivered < 8; i++) {
      for (const done of held.splice(0)) done(0);
      await settle();
    }
    expect(delivered).toBe(8);
    client.terminate();
    wss.close();
    await new Promise((r) => http.close(r));
  });
});
