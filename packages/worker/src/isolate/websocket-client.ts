/**
 * An app's outbound WebSocket (`fetch(url, { headers: { Upgrade: "websocket" } })`), made on the host
 * with `ws` under the same address policy as fetch: the name's every address is checked at connect
 * (guardedLookup), an IP literal before. Once the server answers 101 the connection is joined to a
 * HostSocket like an incoming one: server messages enter the isolate one entry each, and reading
 * pauses while MAX_INFLIGHT of them (or MAX_INFLIGHT_BYTES) wait for their entry; what the app sends is written with `ws`.
 */
import WebSocket from "ws";
import type { AddressPolicy, Resolver } from "./outbound-policy.js";
import { guardedLookup } from "./outbound-policy.js";
import { type HostSocket, MAX_MESSAGE_BYTES } from "./websocket-bridge.js";
import type { WebSocketHeartbeat } from "./websocket-heartbeat.js";

const MAX_INFLIGHT = 32;
/** Bytes of the server's messages waiting for their entry before reading pauses (as the gateway's). */
const MAX_INFLIGHT_BYTES = 2 * MAX_MESSAGE_BYTES;
/** Request fields the handshake sets itself (a subprotocol request becomes `ws`'s protocols). */
const HANDSHAKE_FIELDS = new Set([
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
  "content-length",
  "transfer-encoding",
  "host",
]);

export interface ClientHead {
  status: number;
  statusText: string;
  headers: string[];
}

export interface ConnectOptions {
  url: URL;
  /** The app's request headers, [name, value, …]. */
  headers: string[];
  policy: AddressPolicy;
  resolve?: Resolver;
  signal: AbortSignal;
}

/** Whether a request asks for a WebSocket (`Upgrade: websocket`). */
export function wantsWebSocket(flat: readonly string[]): boolean {
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if ((flat[i] as string).toLowerCase() === "upgrade" && /^websocket$/i.test((flat[i + 1] as string).trim()))
      return true;
  }
  return false;
}

function flatHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push((raw[i] as string).toLowerCase(), raw[i + 1] as string);
  return out;
}

/**
 * Opens the connection: `open` with the live socket and the 101's head, `refused` with another answer's
 * head (its body is not read), or `failed` with why it could not connect.
 */
export function connectWebSocket(
  opts: ConnectOptions,
  on: { open(ws: WebSocket, head: ClientHead): void; refused(head: ClientHead): void; failed(message: string): void },
): void {
  const headers: Record<string, string> = {};
  let protocols: string[] = [];
  for (let i = 0; i + 1 < opts.headers.length; i += 2) {
    const name = (opts.headers[i] as string).toLowerCase();
    const value = opts.headers[i + 1] as string;
    if (name === "sec-websocket-protocol")
      protocols = value
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
    else if (!HANDSHAKE_FIELDS.has(name))
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const url = new URL(opts.url.href);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  let settled = false;
  const settle = (f: () => void) => {
    if (settled) return;
    settled = true;
    f();
  };
  let ws: WebSocket;
  try {
    ws = new WebSocket(url, protocols, {
      headers,
      maxPayload: MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: 30_000,
      lookup: guardedLookup(opts.policy, opts.resolve) as never,
    });
  } catch (err) {
    on.failed(err instanceof Error ? err.message : String(err));
    return;
  }
  opts.signal.addEventListener("abort", () => ws.terminate(), { once: true });
  ws.once("upgrade", (res) => {
    const head = {
      status: 101,
      statusText: res.statusMessage ?? "Switching Protocols",
      headers: flatHeaders(res.rawHeaders),
    };
    ws.once("open", () => settle(() => on.open(ws, head)));
  });
  ws.once("unexpected-response", (req, res) => {
    const head = {
      status: res.statusCode ?? 500,
      statusText: res.statusMessage ?? "",
      headers: flatHeaders(res.rawHeaders),
    };
    res.resume();
    req.destroy();
    settle(() => on.refused(head));
  });
  ws.on("error", (err) => settle(() => on.failed(`WebSocket connection to ${opts.url.origin} failed: ${err.message}`)));
}

/** Joins an open client connection to the app's socket; `heartbeat` pings the server (a vanished one is cut). */
export function joinClient(ws: WebSocket, socket: HostSocket, heartbeat?: WebSocketHeartbeat): void {
  let inflight = 0;
  let inflightBytes = 0;
  let paused = false;
  heartbeat?.watch(ws, () => paused);
  socket.attach({
    message(data) {
      const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
      ws.send(data, { binary: typeof data !== "string" }, () => socket.written(size));
    },
    close(code, reason) {
      if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
      else ws.terminate();
    },
  });
  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    let payload: string | ArrayBuffer;
    if (isBinary) {
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      payload = copy.buffer;
    } else payload = bytes.toString("utf8");
    inflight++;
    inflightBytes += bytes.length;
    if ((inflight >= MAX_INFLIGHT || inflightBytes >= MAX_INFLIGHT_BYTES) && !paused) {
      paused = true;
      ws.pause();
    }
    socket.deliver(payload, () => {
      inflight--;
      inflightBytes -= bytes.length;
      if (paused && inflight < MAX_INFLIGHT / 2 && inflightBytes < MAX_INFLIGHT_BYTES / 2) {
        paused = false;
        ws.resume();
      }
    });
  });
  ws.once("close", (code: number, reason: Buffer) => socket.clientClosed(code, reason.toString("utf8"), code !== 1006));
}
