/** An isolate's WebSockets on the host: a 101 answer opens one, frames cross both ways, limits close it. */
import { afterEach, describe, expect, it } from "vitest";
import type { RequestWire } from "../contract.js";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "./snapshot.js";
import {
  type HostSocket,
  MAX_ISOLATE_UNSENT_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_UNSENT_BYTES,
  WebSocketBridge,
} from "./websocket-bridge.js";

const snapshot = loadRuntimeSnapshot();
const live: RuntimeIsolate[] = [];
afterEach(() => {
  for (const i of live.splice(0)) i.dispose();
});

const ECHO = `__nano_define(function (module) {
  module.exports = { default: { fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/plain") return new Response("plain");
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (e) => {
      if (e.data === "spin") for (;;);
      if (e.data === "big") { try { server.send("x".repeat(${MAX_MESSAGE_BYTES} + 1)); } catch (err) { server.send(String(err)); } return; }
      if (e.data === "bye") return server.close(4000, "bye");
      if (e.data === "log") return console.log("seen", e.data);
      server.send(e.data);
    });
    server.addEventListener("close", (e) => { globalThis.lastClose = e.code + " " + e.reason; });
    server.send("hi");
    return new Response(null, { status: 101, headers: { "sec-websocket-protocol": "echo" }, webSocket: client });
  } } };
});`;

const req = (path = "/"): RequestWire => ({
  requestId: "r",
  method: "GET",
  url: `http://example.test${path}`,
  headers: ["upgrade", "websocket"],
  body: null,
});
const limits = { cpuMs: 50, wallMs: 5_000 };

async function open(): Promise<{ iso: RuntimeIsolate; socket: HostSocket; out: unknown[] }> {
  const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64 });
  live.push(iso);
  iso.loadApp(ECHO, { filename: "ws.js" });
  const res = await iso.fetch(req(), limits);
  expect(res.response.status).toBe(101);
  expect(res.response.headers).toEqual(["sec-websocket-protocol", "echo"]);
  const socket = res.socket as HostSocket;
  const out: unknown[] = [];
  socket.attach({
    message: (data) =>
      out.push(
        data instanceof ArrayBuffer ? (data.byteLength > 64 ? data.byteLength : [...new Uint8Array(data)]) : data,
      ),
    close: (code, reason) => out.push({ code, reason }),
  });
  return { iso, socket, out };
}

describe("an isolate's WebSockets", () => {
  it("opens on a 101 answer: what the app sent before goes first, then messages echo both ways", async () => {
    const { iso, socket, out } = await open();
    expect(iso.openSockets).toBe(1);
    expect(iso.busy).toBe(true);
    const acks: number[] = [];
    socket.deliver("text", () => acks.push(1));
    socket.deliver(new Uint8Array([9, 8]).buffer, () => acks.push(2));
    expect(acks).toEqual([1, 2]);
    expect(out).toEqual(["hi", "text", [9, 8]]);
  });

  it("keeps a message handler's console output with its socket", async () => {
    const { socket } = await open();
    socket.deliver("log", () => {});
    expect(socket.takeLogs().map((l) => l.msg)).toEqual(["seen log"]);
    expect(socket.takeLogs()).toEqual([]);
  });

  it("refuses an app's message over the size limit (the app catches the TypeError)", async () => {
    const { socket, out } = await open();
    socket.deliver("big", () => {});
    expect(String(out[1])).toMatch(/TypeError: a WebSocket message is at most 1048576 bytes/);
  });

  it("refuses an app's send while 16 MiB it sent are still unwritten to the client", async () => {
    const { socket, out } = await open();
    const mib = () => new ArrayBuffer(1024 * 1024);
    // What the app's sends look like to the host: "hi" (2 bytes) is unwritten too.
    const answers = Array.from({ length: 15 }, () => socket.send(mib()));
    answers.push(socket.send(new ArrayBuffer(1024 * 1024 - 2)));
    expect(answers).toEqual(Array(16).fill(""));
    expect(socket.send("x")).toMatch(/the WebSocket's client is not reading: 16777216 bytes/);
    const before = out.length;
    socket.deliver("refused", () => {}); // the app's echo throws; its listener's error is reported
    expect(out.length).toBe(before);
    socket.written(16 * 1024 * 1024);
    socket.deliver("taken", () => {});
    expect(out.at(-1)).toBe("taken");
  });

  it("bounds what all of an isolate's non-reading sockets hold together, and frees it as clients go", () => {
    const bridge = new WebSocketBridge({ enter: () => {} });
    const sockets = Array.from({ length: 10 }, () => bridge.open()); // never attached: nothing is written
    const mib = new ArrayBuffer(MAX_MESSAGE_BYTES);
    let accepted = 0;
    let refusal = "";
    for (const socket of sockets) {
      for (let i = 0; i < MAX_UNSENT_BYTES / MAX_MESSAGE_BYTES && !refusal; i++) {
        refusal = socket.send(mib);
        if (!refusal) accepted += MAX_MESSAGE_BYTES;
      }
    }
    expect(accepted).toBe(MAX_ISOLATE_UNSENT_BYTES);
    expect(refusal).toMatch(/the app's WebSocket clients are not reading: 67108864 bytes .*at most 67108864 in all/);
    expect((sockets[9] as HostSocket).send("x")).toMatch(/not reading/);
    // A client that goes away frees what was sent to it: another socket may send again.
    (sockets[0] as HostSocket).clientClosed(1006, "", false);
    expect(bridge.unsentBytes).toBe(MAX_ISOLATE_UNSENT_BYTES - MAX_UNSENT_BYTES);
    expect((sockets[9] as HostSocket).send(mib)).toBe("");
  });

  it("bounds the client messages all of an isolate's sockets have waiting for their entry: past it, 1013", () => {
    const held: ((cpuMs: number) => void)[] = [];
    const entered: string[] = [];
    const bridge = new WebSocketBridge({
      enter: (name, _args, done) => {
        entered.push(name);
        if (name === "socketMessage") held.push(done); // the budget is spent: entries wait
      },
    });
    const closes: number[] = [];
    const sockets = Array.from({ length: 70 }, () => {
      const socket = bridge.open();
      socket.attach({ message: () => {}, close: (code) => closes.push(code) });
      return socket;
    });
    const acked: number[] = [];
    for (const [i, socket] of sockets.entries())
      socket.deliver(new ArrayBuffer(MAX_MESSAGE_BYTES), () => acked.push(i));
    const fit = MAX_ISOLATE_UNSENT_BYTES / MAX_MESSAGE_BYTES;
    expect(held.length).toBe(fit);
    expect(bridge.inboundBytes).toBe(MAX_ISOLATE_UNSENT_BYTES);
    // The sockets past the bound are closed with 1013 (the app hears close), their messages acked at once.
    expect(closes).toEqual(Array(70 - fit).fill(1013));
    expect(acked).toEqual(Array.from({ length: 70 - fit }, (_, i) => fit + i));
    expect(entered.filter((n) => n === "socketClosed").length).toBe(70 - fit);
    for (const done of held.splice(0)) done(0);
    expect(bridge.inboundBytes).toBe(0);
    (sockets[0] as HostSocket).deliver("again", () => {});
    expect(held.length).toBe(1);
  });

  it("hands the app's close to the client; the client's close reaches the app and frees the isolate", async () => {
    const { iso, socket, out } = await open();
    socket.deliver("bye", () => {});
    expect(out[1]).toEqual({ code: 4000, reason: "bye" });
    expect(iso.openSockets).toBe(1);
    socket.clientClosed(4000, "bye", true);
    expect(iso.openSockets).toBe(0);
    expect(iso.busy).toBe(false);
    expect((await iso.evaluate("globalThis.lastClose")).text).toBe("4000 bye");
  });

  it("closes with 1011 when a message handler runs away, and with 1001 when the isolate is let go", async () => {
    const spun = await open();
    spun.socket.deliver("spin", () => {});
    expect(spun.iso.alive).toBe(false);
    expect(spun.out.at(-1)).toEqual({ code: 1011, reason: "the app exceeded its CPU time limit" });
    const other = await open();
    other.iso.dispose();
    expect(other.out.at(-1)).toMatchObject({ code: 1001 });
  });

  it("closes with 1009, not silently short, when what the app sent before its 101 is more than the host holds", async () => {
    const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64 });
    live.push(iso);
    iso.loadApp(
      `__nano_define(function (module) {
        module.exports = { default: { fetch() {
          const [client, server] = Object.values(new WebSocketPair());
          server.accept();
          const mib = "x".repeat(${MAX_MESSAGE_BYTES});
          for (let i = 0; i < 17; i++) server.send(mib);
          server.addEventListener("close", (e) => { globalThis.lastClose = e.code + " " + e.reason; });
          // The runtime must not call the app's String (it replaced it) to read a close reason.
          globalThis.String = () => "forged";
          return new Response(null, { status: 101, webSocket: client });
        } } };
      });`,
      { filename: "burst.js" },
    );
    const res = await iso.fetch(req(), limits);
    const socket = res.socket as HostSocket;
    const out: unknown[] = [];
    socket.attach({
      message: (data) => out.push(typeof data === "string" ? data.length : data),
      close: (code, reason) => out.push({ code, reason }),
    });
    expect(out).toEqual([
      ...Array(MAX_UNSENT_BYTES / MAX_MESSAGE_BYTES).fill(MAX_MESSAGE_BYTES),
      { code: 1009, reason: "the app sent too much before its WebSocket opened" },
    ]);
    socket.clientClosed(1009, "client's reason", true);
    expect((await iso.evaluate("globalThis.lastClose")).text).toBe("1009 client's reason");
  });

  it("answers a plain request as before", async () => {
    const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64 });
    live.push(iso);
    iso.loadApp(ECHO, { filename: "ws.js" });
    const res = await iso.fetch(req("/plain"), limits);
    expect(res.socket).toBeUndefined();
    expect(Buffer.from(res.response.body as ArrayBuffer).toString()).toBe("plain");
  });
});
