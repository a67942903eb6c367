/** The only file that opens sockets: serves a Hono app on a port and closes it gracefully. */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { getRequestListener, RequestError } from "@hono/node-server";
import { NanoError } from "@nano/worker";
import type { Hono } from "hono";
import { markUpgrade, type WebSocketGateway } from "./websocket-upgrade.js";

export interface Listening {
  url: string;
  port: number;
  /**
   * Stops accepting and resolves when every connection has ended: idle keep-alive connections at
   * once, the others after their response, or all of them at `deadlineMs` when one is given.
   */
  close(deadlineMs?: number): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host: string;
  /**
   * SO_REUSEPORT: several runtime processes listen on the same port and the kernel spreads new
   * connections between them; when one dies the others keep accepting.
   */
  reusePort?: boolean;
  /** WebSocket upgrades: GET requests with `Upgrade: websocket` go to the app, and a 101 answer upgrades (websocket-upgrade.ts). */
  websockets?: WebSocketGateway;
}

/** How long a connection closed after a malformed request may linger for the client to read the answer. */
const LINGER_MS = 2000;

/** The JSON error a request gets when it is malformed before it reaches the app's routes. */
function errorBody(err: NanoError): string {
  return JSON.stringify(err.toJSON());
}

/**
 * A request node-server cannot turn into a Web Request (no Host, an invalid Host or URL): 400 in
 * NANO's JSON form rather than an empty one. Anything else thrown that early is NANO's own fault.
 */
function requestErrorResponse(err: unknown): Response {
  const bad = err instanceof RequestError;
  const e = bad
    ? new NanoError("NANO_ERR_BAD_REQUEST", `the request is malformed: ${err.message}`)
    : new NanoError("NANO_ERR_INTERNAL");
  return new Response(errorBody(e), {
    status: e.status,
    headers: {
      "content-type": "application/json",
      "x-request-id": randomUUID(),
      ...(bad ? { connection: "close" } : {}),
    },
  });
}

/** What the parser's error codes answer, as Node's default `clientError` handling answers them. */
function clientErrorResponse(err: NodeJS.ErrnoException): Buffer {
  const [status, reason, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "the request's header section is too large"]
      : err.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
        ? [413, "Payload Too Large", "the request's chunk extensions are too large"]
        : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "Request Timeout", "the request was not received in time"]
          : [400, "Bad Request", `the request is malformed${err.code ? ` (${err.code})` : ""}`];
  const body = errorBody(new NanoError("NANO_ERR_BAD_REQUEST", message));
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** Per connection: the requests still being answered, and the refusal to write once they are. */
interface Conn {
  /** In the order they arrived, which is the order Node writes their responses in. */
  open: Map<IncomingMessage, ServerResponse>;
  /** The parser failed on this connection: later errors (it repeats them) change nothing. */
  failed: boolean;
  refusal: Buffer | null;
  /** A request whose body the bad bytes cut short: its handler may never answer, so it is not waited for. */
  cut: IncomingMessage | null;
}

/**
 * Answers what Node's HTTP parser refuses without losing what came before it on the connection. By
 * default Node writes its 400 at once and destroys the socket, so a valid request pipelined ahead of
 * the bad bytes loses its response (or gets the 400 in its place). Here the requests parsed before
 * the error are answered first, in order; then the refusal goes out with `Connection: close`, the
 * write side ends after it, and the socket is destroyed once the client has had time to read it.
 */
function handleClientErrors(server: Server): void {
  const conns = new WeakMap<Duplex, Conn>();
  const connOf = (socket: Duplex): Conn => {
    let c = conns.get(socket);
    if (!c) {
      c = { open: new Map(), failed: false, refusal: null, cut: null };
      conns.set(socket, c);
    }
    return c;
  };
  /** Writes the refusal once every answer owed before it is out; does nothing until then. */
  const refuseWhenDue = (socket: Duplex, c: Conn) => {
    if (!c.refusal) return;
    for (const req of c.open.keys()) if (req !== c.cut) return;
    const refusal = c.refusal;
    c.refusal = null;
    // A cut request whose handler began its answer: nothing can follow that answer in its place.
    const cutAnswer = c.cut ? c.open.get(c.cut) : undefined;
    if (!socket.writable || cutAnswer?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(refusal);
    // The read side stays open a moment: closing a socket with unread input resets the connection,
    // which may discard the answer before the client reads it. The client's own close ends it sooner.
    socket.once("finish", () => {
      const linger = setTimeout(() => socket.destroy(), LINGER_MS);
      linger.unref();
      socket.once("close", () => clearTimeout(linger));
    });
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const c = connOf(req.socket);
    c.open.set(req, res);
    res.once("close", () => {
      c.open.delete(req);
      refuseWhenDue(req.socket, c);
    });
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    const c = connOf(socket);
    if (c.failed) return;
    c.failed = true;
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    for (const req of c.open.keys()) if (!req.complete) c.cut = req;
    c.refusal = clientErrorResponse(err);
    refuseWhenDue(socket, c);
  });
}

/**
 * An upgrade request runs through the same listener as any request, on a response bound to its
 * socket: the ingress either takes the socket (101 with a WebSocket) or the app's answer is written as
 * HTTP, and the connection closes after it (the HTTP parser has let go of it).
 */
function handleUpgrades(server: Server, listener: (req: IncomingMessage, res: ServerResponse) => unknown): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pending = { socket, head, taken: false };
    markUpgrade(req, pending);
    socket.on("error", () => socket.destroy());
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.once("finish", () => {
      if (!pending.taken) socket.end();
    });
    const invalid = invalidHandshake(req);
    if (invalid) {
      // Refused before the app runs: it would answer 101 to a handshake the WebSocket server then refuses.
      const body = errorBody(new NanoError("NANO_ERR_BAD_REQUEST", invalid));
      res.writeHead(400, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "x-request-id": randomUUID(),
      });
      res.end(body);
      return;
    }
    void listener(req, res);
  });
}

/** Why an upgrade request is not a valid RFC 6455 opening handshake, or "". */
function invalidHandshake(req: IncomingMessage): string {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim()))
    return "a WebSocket upgrade needs a valid Sec-WebSocket-Key";
  if (req.headers["sec-websocket-version"]?.trim() !== "13")
    return "a WebSocket upgrade needs Sec-WebSocket-Version: 13";
  return "";
}

// biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its bindings.
export function listen(app: Hono<any>, opts: ListenOptions): Promise<Listening> {
  return new Promise((resolve, reject) => {
    // Node's own missing-Host check answers an empty 400; node-server refuses the same request with a
    // RequestError, which answers NANO's JSON one.
    const listener = getRequestListener(app.fetch, { errorHandler: requestErrorResponse });
    const server = createServer(
      {
        requireHostHeader: false,
        // Only WebSocket upgrades leave the HTTP parser; any other Upgrade (h2c) is a plain request.
        shouldUpgradeCallback: (req: IncomingMessage) =>
          opts.websockets !== undefined && req.method === "GET" && /^websocket$/i.test(req.headers.upgrade ?? ""),
      } as Parameters<typeof createServer>[0],
      listener,
    );
    handleClientErrors(server);
    if (opts.websockets) handleUpgrades(server, listener);
    server.once("error", reject);
    server.listen({ port: opts.port, host: opts.host, reusePort: opts.reusePort === true }, () => {
      server.off("error", reject);
      const info = server.address() as AddressInfo;
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: (deadlineMs) =>
          new Promise<void>((done) => {
            // Idle keep-alive sockets would hold close() open, and a busy one turns idle after its response.
            const idle = setInterval(() => server.closeIdleConnections(), 50);
            // WebSockets are told the server is going away (their clients reconnect elsewhere), and cut at the deadline.
            opts.websockets?.closeAll();
            const deadline =
              deadlineMs === undefined
                ? null
                : setTimeout(() => {
                    server.closeAllConnections();
                    opts.websockets?.terminateAll();
                  }, deadlineMs);
            server.close(() => {
              clearInterval(idle);
              if (deadline) clearTimeout(deadline);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
