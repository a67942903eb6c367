/**
 * WebSockets through `nano start`: a Workers echo app (test/fixtures/websocket-echo) answers upgrades
 * with a WebSocketPair; a real `ws` client talks to the ingress. One runtime process with one thread,
 * so the request that reads back what the app saw reaches the same isolate.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { ROOT, type RunningNano, startServe } from "./helpers.js";
import { cli, type Server, startServer, tryGet, until } from "./start-helpers.js";

const HOST = "ws-echo.localhost";
let server: Server;

/** The fixture as a folder of its own, with VERSION set to `version`. */
function echoApp(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-ws-"));
  cpSync(join(ROOT, "test/fixtures/websocket-echo"), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, "nano.json"), "utf8"));
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ ...manifest, vars: { VERSION: version } }));
  return dir;
}

/** A connected client that keeps what it receives; `next()` waits for the next message. */
interface Client {
  ws: WebSocket;
  messages: (string | Buffer)[];
  next(): Promise<string | Buffer>;
  closed: Promise<{ code: number; reason: string }>;
}

function connect(path = "/", base = server.url, autoPong = true): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace("http", "ws")}${path}`, { headers: { host: HOST }, autoPong });
    const messages: (string | Buffer)[] = [];
    let waiting: ((m: string | Buffer) => void) | null = null;
    let read = 0;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      messages.push(isBinary ? data : data.toString());
      if (waiting && read < messages.length) {
        const w = waiting;
        waiting = null;
        w(messages[read++] as string | Buffer);
      }
    });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      ws.on("close", (code, reason) => done({ code, reason: reason.toString() })),
    );
    ws.on("error", reject);
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => reject(new Error(`unexpected response ${res.statusCode}: ${body}`)));
    });
    ws.on("open", () =>
      resolve({
        ws,
        messages,
        closed,
        next: () =>
          read < messages.length
            ? Promise.resolve(messages[read++] as string | Buffer)
            : new Promise((r) => {
                waiting = r;
              }),
      }),
    );
  });
}

/** The app's own record of the close events it saw. */
async function closesSeen(): Promise<{ path: string; code: number; reason: string; wasClean: boolean }[]> {
  const r = await tryGet(`${server.url}/closed`, HOST);
  return "body" in r ? JSON.parse(r.body) : [];
}

beforeAll(async () => {
  server = await startServer(undefined, {
    args: ["--processes", "1", "--threads", "1", "--allow-private-fetch"],
    // One runaway handler is stopped on purpose below; on a loaded machine the CPU guard may also fail a
    // request held off its core. The throttle those count towards (test/neighbour, app-governor.test)
    // must not turn the later cases into 503s.
    env: { NANO_LOG_LEVEL: "info", NANO_THROTTLE_KILLS: "1000", NANO_WS_PING_MS: "1000" },
  });
  const d = await cli(server, ["deploy", echoApp("1")]);
  expect(d.code, d.stderr).toBe(0);
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

describe("WebSockets through nano start", () => {
  it("echoes text and binary frames in order, and closes with the app's code and reason", async () => {
    const c = await connect("/echo");
    expect(await c.next()).toBe("hello");
    c.ws.send("one");
    c.ws.send(Buffer.from([0, 1, 2, 255]));
    c.ws.send("two");
    expect(await c.next()).toBe("echo: one");
    expect([...((await c.next()) as Buffer)]).toEqual([0, 1, 2, 255]);
    expect(await c.next()).toBe("echo: two");
    c.ws.send("close");
    expect(await c.closed).toEqual({ code: 4000, reason: "asked to" });
    // The app saw its own close answered.
    await until(async () => (await closesSeen()).some((e) => e.path === "/echo"), "the app to see the close");
    expect((await closesSeen()).find((e) => e.path === "/echo")).toEqual({
      path: "/echo",
      code: 4000,
      reason: "asked to",
      wasClean: true,
    });
  }, 30_000);

  it("tells the app when the client closes, or goes away without a word", async () => {
    const polite = await connect("/polite");
    await polite.next();
    polite.ws.close(3001, "bye");
    expect((await polite.closed).code).toBe(3001);
    const rude = await connect("/rude");
    await rude.next();
    rude.ws.terminate();
    await until(async () => (await closesSeen()).some((e) => e.path === "/rude"), "the app to see the client leave");
    const seen = await closesSeen();
    expect(seen.find((e) => e.path === "/polite")).toEqual({
      path: "/polite",
      code: 3001,
      reason: "bye",
      wasClean: true,
    });
    expect(seen.find((e) => e.path === "/rude")).toMatchObject({ path: "/rude", code: 1006, wasClean: false });
  }, 30_000);

  it("cuts a client that stops answering pings (a peer gone without a FIN): the app hears 1006", async () => {
    const silent = await connect("/silent", server.url, false);
    await silent.next();
    // Pinged every second (NANO_WS_PING_MS), it is cut once it missed one: the client sees no close frame.
    expect((await silent.closed).code).toBe(1006);
    await until(async () => (await closesSeen()).some((e) => e.path === "/silent"), "the app to see the client cut");
    expect((await closesSeen()).find((e) => e.path === "/silent")).toMatchObject({ code: 1006, wasClean: false });
  }, 30_000);

  it("tells the app when the client leaves while its 101 is on the way", async () => {
    const { connect: tcp } = await import("node:net");
    const port = Number(new URL(server.url).port);
    const socket = tcp(port, "127.0.0.1", () => {
      socket.write(
        `GET /slow HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
      setTimeout(() => socket.destroy(), 100);
    });
    socket.on("error", () => {});
    await until(async () => (await closesSeen()).some((e) => e.path === "/slow"), "the app to see the close");
    expect((await closesSeen()).find((e) => e.path === "/slow")).toMatchObject({ code: 1006, wasClean: false });
  }, 30_000);

  it("logs what the app's message handler logs, with the socket's request, without waiting for another request", async () => {
    const c = await connect("/logger");
    await c.next();
    c.ws.send("log");
    expect(await c.next()).toBe("logged");
    const recent = async () =>
      (
        (await (
          await fetch(`${server.adminUrl}/v1/apps/ws-echo/logs`, {
            headers: { authorization: `Bearer ${server.token}` },
          })
        ).json()) as { logs: { msg: string; requestId?: string }[] }
      ).logs;
    await until(
      async () => (await recent()).some((l) => l.msg === "logged from a message handler on /logger"),
      "the message handler's log line",
    );
    const line = (await recent()).find((l) => l.msg === "logged from a message handler on /logger");
    expect(line?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    c.ws.close();
    await c.closed;
  }, 30_000);

  it("answers a non-101 response to an upgrade request as plain HTTP", async () => {
    const { request } = await import("node:http");
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/closed`, {
        headers: {
          host: HOST,
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      req.on("response", (r) => {
        let body = "";
        r.on("data", (d) => {
          body += d;
        });
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on("upgrade", () => reject(new Error("upgraded")));
      req.on("error", reject);
      req.end();
    });
    expect(res.status).toBe(200);
    expect(Array.isArray(JSON.parse(res.body))).toBe(true);
  }, 30_000);

  it("refuses an upgrade without a valid key or version 13 with a JSON 400, before the app runs", async () => {
    const { request } = await import("node:http");
    const attempt = (path: string, extra: Record<string, string>) =>
      new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = request(`${server.url}${path}`, {
          headers: { host: HOST, connection: "Upgrade", upgrade: "websocket", ...extra },
        });
        req.on("response", (r) => {
          let body = "";
          r.on("data", (d) => {
            body += d;
          });
          r.on("end", () => resolve({ status: r.statusCode ?? 0, type: r.headers["content-type"] ?? "", body }));
        });
        req.on("upgrade", () => reject(new Error("upgraded")));
        req.on("error", reject);
        req.end();
      });
    const noKey = await attempt("/nokey", { "sec-websocket-version": "13" });
    const oldVersion = await attempt("/oldversion", {
      "sec-websocket-version": "8",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    });
    for (const [r, why] of [
      [noKey, /Sec-WebSocket-Key/],
      [oldVersion, /Sec-WebSocket-Version: 13/],
    ] as const) {
      expect(r.status).toBe(400);
      expect(r.type).toBe("application/json");
      expect(JSON.parse(r.body).error).toMatchObject({
        code: "NANO_ERR_BAD_REQUEST",
        message: expect.stringMatching(why),
      });
    }
    // The app never answered them (a socket it opened would have heard close).
    await new Promise((r) => setTimeout(r, 300));
    expect((await closesSeen()).filter((e) => e.path === "/nokey" || e.path === "/oldversion")).toEqual([]);
  }, 30_000);

  it("closes with 1009 on a message over 1 MiB, and passes one of exactly 1 MiB", async () => {
    const ok = await connect("/big-ok");
    await ok.next();
    ok.ws.send(Buffer.alloc(1024 * 1024, 7));
    expect(((await ok.next()) as Buffer).length).toBe(1024 * 1024);
    ok.ws.close();
    await ok.closed;
    const big = await connect("/too-big");
    await big.next();
    big.ws.send(Buffer.alloc(1024 * 1024 + 1));
    expect((await big.closed).code).toBe(1009);
  }, 30_000);

  it("stops a message handler that loops like any runaway: the socket closes with 1011, the next one works", async () => {
    const c = await connect("/spin");
    await c.next();
    c.ws.send("spin");
    expect(await c.closed).toEqual({ code: 1011, reason: "the app exceeded its CPU time limit" });
    const after = await connect("/after-spin");
    expect(await after.next()).toBe("hello");
    after.ws.send("still here");
    expect(await after.next()).toBe("echo: still here");
    after.ws.close();
    await after.closed;
  }, 30_000);

  it("holds at most limits.websockets sockets open per app, and counts them in the metrics", async () => {
    const metrics = async () =>
      (await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
    // The sockets of the cases above are closed on both ends (the server's count follows the client's close).
    await until(async () => !/nano_websockets_open\{app="ws-echo"\} [1-9]/.test(await metrics()), "no socket open");
    const open = await Promise.all([connect("/a"), connect("/b"), connect("/c")]);
    await expect(connect("/d")).rejects.toThrow(/unexpected response 503/);
    await until(async () => /nano_websockets_open\{app="ws-echo"\} 3/.test(await metrics()), "the open gauge");
    for (const c of open) c.ws.close();
    await Promise.all(open.map((c) => c.closed));
    await until(async () => !/nano_websockets_open\{app="ws-echo"\} [1-9]/.test(await metrics()), "the gauge to fall");
    const text = await metrics();
    expect(text).toMatch(/nano_websocket_messages_total\{app="ws-echo",direction="in"\} [1-9]/);
    expect(text).toMatch(/nano_websocket_messages_total\{app="ws-echo",direction="out"\} [1-9]/);
    // Message entries' CPU, and the runaway handler stopped above, count like a request's.
    expect(text).toMatch(/nano_cpu_seconds_total\{app="ws-echo"\} 0\.0*[1-9]/);
    expect(text).toMatch(/nano_limit_kills_total\{app="ws-echo",reason="cpu"\} 1\n/);
    // Each socket's request line is logged when it closes, with its duration (request lines are
    // written through a buffered destination, every 100 ms: waited for, not read at once).
    const line = /"path":"\/a","status":101,"durationMs":\d/;
    await until(async () => line.test(server.output()), "the socket's request line");
    expect(server.output()).toMatch(line);
  }, 30_000);

  it("lets open sockets finish on the old version after a deploy, while new requests get the new one", async () => {
    const old = await connect("/old");
    await old.next();
    old.ws.send("version");
    expect(await old.next()).toBe("version 1");
    const d = await cli(server, ["deploy", echoApp("2")]);
    expect(d.code, d.stderr).toBe(0);
    await until(async () => {
      const r = await tryGet(`${server.url}/version`, HOST);
      return "body" in r && r.body === "2";
    }, "the new version to serve");
    old.ws.send("version");
    expect(await old.next()).toBe("version 1");
    const fresh = await connect("/new");
    await fresh.next();
    fresh.ws.send("version");
    expect(await fresh.next()).toBe("version 2");
    old.ws.send("still there?");
    expect(await old.next()).toBe("echo: still there?");
    old.ws.close(1000);
    fresh.ws.close(1000);
    expect((await old.closed).code).toBe(1000);
    await fresh.closed;
  }, 60_000);
});

describe("outbound WebSockets through nano start", () => {
  it("relays a client to an upstream the app connects to with fetch(url, { headers: { Upgrade: 'websocket' } })", async () => {
    const upstream = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    const closes: number[] = [];
    upstream.on("connection", (ws) => {
      ws.on("message", (data) => ws.send(`upstream: ${data}`));
      ws.on("close", (code) => closes.push(code));
    });
    await new Promise((r) => upstream.once("listening", r));
    try {
      const to = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/`;
      const c = await connect(`/relay?to=${encodeURIComponent(to)}`);
      c.ws.send("through");
      expect(await c.next()).toBe("upstream: through");
      c.ws.close(1000);
      await c.closed;
      await until(() => closes.length > 0, "the upstream to see the app's close");
      expect(closes).toEqual([1000]);
    } finally {
      upstream.close();
    }
  }, 30_000);
});

describe("WebSockets through nano serve", () => {
  let serve: RunningNano;
  beforeAll(async () => {
    serve = await startServe("test/fixtures/websocket-echo");
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
  });

  it("echoes and closes as under nano start", async () => {
    const c = await connect("/serve", serve.url);
    expect(await c.next()).toBe("hello");
    c.ws.send(Buffer.from([4, 2]));
    expect([...((await c.next()) as Buffer)]).toEqual([4, 2]);
    c.ws.send("close");
    expect(await c.closed).toEqual({ code: 4000, reason: "asked to" });
  }, 30_000);

  it("tells open sockets the server is going away when it stops, and one the app answers meanwhile", async () => {
    const c = await connect("/until-shutdown", serve.url);
    await c.next();
    // The app answers /slow's 101 500 ms after the request: after the server began closing.
    const slow = connect("/slow", serve.url);
    await new Promise((r) => setTimeout(r, 200));
    await serve.stop();
    expect((await c.closed).code).toBe(1001);
    expect((await (await slow).closed).code).toBe(1001);
  }, 30_000);
});

describe("nano start shutting down", () => {
  it("tells open sockets the server is going away (1001), and exits", async () => {
    const c = await connect("/until-shutdown");
    await c.next();
    const exited = server.stop();
    expect((await c.closed).code).toBe(1001);
    expect(await exited).toBe(0);
  }, 60_000);
});
