/**
 * WebSocket upgrades in a runtime process. server.ts hands an upgrade request to the ingress like any
 * other (marked with its socket, `UPGRADE`); the app's fetch runs, and when it answers 101 with a
 * WebSocket the ingress calls `accept`, which completes the handshake with `ws` and joins the client
 * connection to the app's socket port (SocketMessage in @nano/worker's contract). Any other answer is
 * written as a normal HTTP response. Backpressure both ways: reading from the client pauses while the
 * isolate has not taken MAX_INFLIGHT messages (or MAX_INFLIGHT_BYTES), or while the client has not
 * read what the app sent (ws's bufferedAmount over MAX_BUFFERED_BYTES); past MAX_UNREAD_BYTES the
 * connection is dropped (a client that never reads cannot make the host hold the app's output).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { MessagePort } from "node:worker_threads";
import { type LogRecord, NanoError, type SocketMessage, WebSocketHeartbeat } from "@nano/worker";
import { type WebSocket, WebSocketServer } from "ws";
import { type Logger, logAppRecords } from "./logger.js";

/** Workers' limit on one message (the app's side is checked in its thread). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
const MAX_INFLIGHT = 32;
const MAX_INFLIGHT_BYTES = 2 * MAX_MESSAGE_BYTES;
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** The thread refuses an app's send past 16 MiB unwritten (MAX_UNSENT_BYTES): this is only a backstop. */
const MAX_UNREAD_BYTES = 32 * MAX_MESSAGE_BYTES;
/** Response fields `ws` writes itself in a 101. */
const HANDSHAKE_FIELDS = new Set(["sec-websocket-accept", "sec-websocket-extensions", "content-length"]);

export const UPGRADE: unique symbol = Symbol("nano.upgrade");

/** The connection of an upgrade request, until the ingress takes it. */
export interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  /** The ingress completed the upgrade: server.ts writes no HTTP response on the socket. */
  taken: boolean;
}

type Upgradable = IncomingMessage & { [UPGRADE]?: PendingUpgrade };

export function markUpgrade(incoming: IncomingMessage, pending: PendingUpgrade): void {
  (incoming as Upgradable)[UPGRADE] = pending;
}

export function pendingUpgrade(incoming: IncomingMessage): PendingUpgrade | undefined {
  return (incoming as Upgradable)[UPGRADE];
}

/** Sees sockets open and close and their messages (metrics); the default sees nothing. */
export interface WebSocketObserver {
  onOpen(app: string): void;
  onClose(app: string): void;
  onMessages(app: string, direction: "in" | "out", count: number): void;
  /** CPU the app's message entries used; `errorCode` when a limit stopped its isolate during one. */
  onCpu(app: string, cpuMs: number, errorCode?: string): void;
  /** Console output of the app's message and close handlers (for the app's log ring). */
  onLogs?(req: SocketRequest, logs: LogRecord[]): void;
}

/** The request a socket answered, for its log line at close. */
export interface SocketRequest {
  requestId: string;
  app: string;
  version: string;
  method: string;
  path: string;
  /** performance.now() when the request arrived. */
  started: number;
  /** Open sockets the app may hold in this process. */
  limit: number;
  /** The app's 101 head: [name, value, …] (lower-case, checked in the thread). */
  headers: string[];
}

export interface WebSocketGatewayOptions {
  logger: Logger;
  observer?: WebSocketObserver;
  maxMessageBytes?: number;
  /** Open sockets by app, shared by the gateways of one process (its listeners): the limit is per process. */
  counts?: Map<string, number>;
  /** How often each client is pinged (one that missed the last ping is cut); default PING_INTERVAL_MS. */
  pingIntervalMs?: number;
}

/** The ingress's side: `gateway.accept`, or a refusal where the server takes no WebSockets. */
export function acceptWebSocket(
  gateway: WebSocketGateway | undefined,
  env: { incoming: IncomingMessage; outgoing: ServerResponse },
  port: MessagePort,
  req: SocketRequest,
): NanoError | null {
  if (gateway) return gateway.accept(env.incoming, env.outgoing, port, req);
  port.close();
  return new NanoError("NANO_ERR_BAD_RESPONSE", "this server does not accept WebSockets");
}

export class WebSocketGateway {
  readonly #wss: WebSocketServer;
  readonly #opts: WebSocketGatewayOptions;
  /** Open (or opening) sockets by app. */
  readonly #perApp: Map<string, number>;
  readonly #open = new Set<WebSocket>();
  readonly #heartbeat: WebSocketHeartbeat;
  /** closeAll ran: a socket the app answers after it is closed at once (1001). */
  #closing: { code: number; reason: string } | null = null;

  constructor(opts: WebSocketGatewayOptions) {
    this.#opts = opts;
    this.#perApp = opts.counts ?? new Map();
    this.#heartbeat = new WebSocketHeartbeat(opts.pingIntervalMs);
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: opts.maxMessageBytes ?? MAX_MESSAGE_BYTES,
      // The app chooses the subprotocol (its Sec-WebSocket-Protocol header), as on Workers: ws picks none.
      handleProtocols: () => false,
    });
  }

  /** Open sockets of `app` in this process. */
  openFor(app: string): number {
    return this.#perApp.get(app) ?? 0;
  }

  /**
   * The app answered `incoming` with 101 and a WebSocket (its frames cross `port`). Null: the upgrade
   * goes ahead (the caller writes nothing more); else why not, and the app's socket hears `close`.
   */
  accept(incoming: IncomingMessage, outgoing: ServerResponse, port: MessagePort, req: SocketRequest): NanoError | null {
    const upgrade = pendingUpgrade(incoming);
    const refuse = (err: NanoError, code: number) => {
      port.postMessage(["c", code, err.message.slice(0, 120), false] satisfies SocketMessage);
      port.close();
      return err;
    };
    if (!upgrade || upgrade.taken)
      return refuse(
        new NanoError(
          "NANO_ERR_BAD_RESPONSE",
          "the app answered a WebSocket to a request that is not a WebSocket upgrade",
        ),
        1006,
      );
    // The client left while the app was answering: there is nothing to upgrade.
    if (upgrade.socket.destroyed || !upgrade.socket.writable) {
      upgrade.taken = true;
      return refuse(new NanoError("NANO_ERR_BAD_REQUEST", "the client went away before the WebSocket opened"), 1006);
    }
    if (this.openFor(req.app) >= req.limit)
      return refuse(
        new NanoError(
          "NANO_ERR_WEBSOCKET_LIMIT",
          `the app has ${req.limit} WebSockets open, its limit (limits.websockets)`,
        ),
        1013,
      );
    upgrade.taken = true;
    outgoing.detachSocket(upgrade.socket as never);
    this.#perApp.set(req.app, this.openFor(req.app) + 1);
    const { socket, head } = upgrade;
    let opened = false;
    // The client left before the handshake completed (or it was invalid: ws answered 400 itself).
    const early = () => {
      if (opened) return;
      this.#release(req.app);
      port.postMessage(["c", 1006, "", false] satisfies SocketMessage);
      port.close();
    };
    socket.once("close", early);
    const addHeaders = (lines: string[]) => {
      for (let i = 0; i + 1 < req.headers.length; i += 2) {
        const name = req.headers[i] as string;
        if (!HANDSHAKE_FIELDS.has(name)) lines.push(`${name}: ${req.headers[i + 1]}`);
      }
    };
    this.#wss.once("headers", addHeaders);
    try {
      this.#wss.handleUpgrade(incoming, socket, head, (ws) => {
        opened = true;
        socket.off("close", early);
        this.#connect(ws, port, req);
        if (this.#closing) ws.close(this.#closing.code, this.#closing.reason);
      });
    } finally {
      this.#wss.off("headers", addHeaders);
    }
    return null;
  }

  #release(app: string): void {
    const n = this.openFor(app) - 1;
    if (n > 0) this.#perApp.set(app, n);
    else this.#perApp.delete(app);
  }

  /** Joins a client connection to the app's socket port. */
  #connect(ws: WebSocket, port: MessagePort, req: SocketRequest): void {
    const { observer, logger } = this.#opts;
    this.#open.add(ws);
    observer?.onOpen(req.app);
    const opened = performance.now();
    let inflight = 0;
    let inflightBytes = 0;
    const sizes: number[] = [];
    let counts = { in: 0, out: 0 };
    let total = { in: 0, out: 0 };
    let paused = false;
    let portOpen = true;
    this.#heartbeat.watch(ws, () => paused);
    const flow = () => {
      const hold =
        inflight >= MAX_INFLIGHT || inflightBytes >= MAX_INFLIGHT_BYTES || ws.bufferedAmount > MAX_BUFFERED_BYTES;
      if (hold && !paused) ws.pause();
      else if (!hold && paused) ws.resume();
      paused = hold;
    };
    const report = () => {
      if (counts.in > 0) observer?.onMessages(req.app, "in", counts.in);
      if (counts.out > 0) observer?.onMessages(req.app, "out", counts.out);
      total = { in: total.in + counts.in, out: total.out + counts.out };
      counts = { in: 0, out: 0 };
    };
    const reporter = setInterval(report, 1000);
    reporter.unref();
    const toPort = (message: SocketMessage, transfer?: ArrayBuffer[]) => {
      if (portOpen) port.postMessage(message, transfer ?? []);
    };
    // Bytes of the app's messages written to the client, told to the thread once per turn.
    let written = 0;
    const wrote = (bytes: number) => {
      if (written === 0)
        setImmediate(() => {
          toPort(["w", written]);
          written = 0;
        });
      written += bytes;
      flow();
    };

    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      counts.in++;
      inflight++;
      inflightBytes += bytes.length;
      sizes.push(bytes.length);
      if (isBinary) {
        const copy = new Uint8Array(bytes.length);
        copy.set(bytes);
        toPort(["m", copy.buffer], [copy.buffer]);
      } else toPort(["m", bytes.toString("utf8")]);
      flow();
    });
    // Protocol errors (an over-size message: ws closes with 1009 itself) end in "close" below.
    ws.on("error", () => {});
    port.on("message", (message: SocketMessage) => {
      if (message[0] === "a") {
        for (let i = 0; i < message[1] && sizes.length > 0; i++) inflightBytes -= sizes.shift() as number;
        inflight = Math.max(0, inflight - message[1]);
        if (message[2] > 0) observer?.onCpu(req.app, message[2]);
        flow();
      } else if (message[0] === "m") {
        counts.out++;
        if (ws.bufferedAmount > MAX_UNREAD_BYTES) {
          ws.terminate();
          return;
        }
        const data = message[1];
        const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
        ws.send(data, { binary: typeof data !== "string" }, () => wrote(size));
        flow();
      } else if (message[0] === "c") ws.close(message[1], message[2]);
      else if (message[0] === "l") {
        logAppRecords(logger, message[1], { requestId: req.requestId, app: req.app, version: req.version });
        observer?.onLogs?.(req, message[1]);
      } else if (message[0] === "k") {
        observer?.onCpu(req.app, 0, message[3]);
        ws.close(message[1], message[2]);
      }
    });
    // The app's thread let go (it stopped, or the isolate was killed without a close frame).
    port.once("close", () => {
      portOpen = false;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1011, "the app's WebSocket went away");
    });
    ws.once("close", (code: number, reason: Buffer) => {
      this.#open.delete(ws);
      this.#release(req.app);
      clearInterval(reporter);
      report();
      observer?.onClose(req.app);
      toPort(["c", code, reason.toString("utf8"), code !== 1006]);
      logger.info(
        {
          requestId: req.requestId,
          app: req.app,
          version: req.version,
          method: req.method,
          path: req.path,
          status: 101,
          durationMs: Math.round((performance.now() - req.started) * 100) / 100,
          websocket: { openMs: Math.round(performance.now() - opened), closeCode: code, in: total.in, out: total.out },
        },
        "request",
      );
    });
  }

  /** Closes every socket (1001: the server is going away), e.g. at the end of a drain, and any accepted after. */
  closeAll(code = 1001, reason = "the server is shutting down"): void {
    this.#closing = { code, reason };
    for (const ws of this.#open) ws.close(code, reason);
  }

  /** Sockets still open after closeAll are cut. */
  terminateAll(): void {
    for (const ws of this.#open) ws.terminate();
  }

  get size(): number {
    return this.#open.size;
  }
}
