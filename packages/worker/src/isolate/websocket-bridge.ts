/**
 * The host half of an isolate's WebSockets (thread side). A socket exists here once a request answered
 * 101 with the client end of a WebSocketPair (respondSocket); until the runtime process attaches the
 * client connection (attach), what the app sends waits in order. Messages from the client enter the
 * isolate one entry each (charged like a timer: RuntimeIsolate's background budget), and `done` tells
 * the caller when that entry ran, which is what the client connection's backpressure waits on.
 * Everything from the isolate is checked: the socket must be this isolate's and open, a payload a
 * string or an ArrayBuffer within the message size limit, a close code one RFC 6455 lets an endpoint send.
 */
import type { EntryPointName } from "@nano/webapi";
import type { LogRecord } from "../contract.js";

/** Workers' limit on one WebSocket message, both ways (the client's side is `ws`'s maxPayload). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * What the app may have sent that its client has not taken yet (queued here, crossing to the runtime
 * process, or in its socket buffer): past it, send() throws, so a client that does not read cannot
 * make the host hold an app's output.
 */
export const MAX_UNSENT_BYTES = 16 * MAX_MESSAGE_BYTES;
/**
 * The same across all of one isolate's sockets: without it, N sockets whose clients do not read would
 * make the runtime process hold N × MAX_UNSENT_BYTES outside the isolate's memory limit. Client messages
 * waiting for their entry (the isolate's budget is spent) are bounded by it too, separately: past it the
 * socket a message came on closes with 1013.
 */
export const MAX_ISOLATE_UNSENT_BYTES = 64 * MAX_MESSAGE_BYTES;
const MAX_REASON_BYTES = 123;
/** Console output of a socket's entries kept until the runtime process takes it (about once per turn). */
const MAX_LOG_CHARS = 64 * 1024;

/** What the runtime process's side of a socket takes: messages and the app's close, in order. */
export interface SocketSink {
  message(data: string | ArrayBuffer): void;
  /** `errorCode`: a limit stopped the app's isolate (NANO_ERR_CPU_LIMIT, …). */
  close(code: number, reason: string, errorCode?: string): void;
}

type Out =
  | { close: false; data: string | ArrayBuffer }
  | { close: true; code: number; reason: string; errorCode?: string };

export function sendableCloseCode(code: unknown): code is number {
  return (
    typeof code === "number" &&
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/** One socket: the isolate's server end on one side, the runtime process's client connection on the other. */
export class HostSocket {
  readonly id: number;
  /** Opened by the app (fetch with `Upgrade: websocket`) rather than by a client. */
  readonly outbound: boolean;
  readonly #bridge: WebSocketBridge;
  #sink: SocketSink | null = null;
  #queued: Out[] = [];
  /** The app sent its close (or the isolate died): nothing more goes out. */
  #closedByApp = false;
  /** The isolate heard the close: nothing more comes in. */
  #closedToApp = false;
  /** Bytes the app sent that the client has not been written yet. */
  #unsent = 0;
  /** Console output of this socket's entries, until taken; records dropped past MAX_LOG_CHARS. */
  #logs: LogRecord[] = [];
  #logChars = 0;
  #logsDropped = 0;

  constructor(id: number, bridge: WebSocketBridge, outbound: boolean) {
    this.id = id;
    this.outbound = outbound;
    this.#bridge = bridge;
  }

  get open(): boolean {
    return !this.#closedByApp || !this.#closedToApp;
  }

  /** Connects the client side; what the app sent meanwhile goes out first. */
  attach(sink: SocketSink): void {
    this.#sink = sink;
    for (const m of this.#queued.splice(0)) this.#out(m);
  }

  #out(m: Out): void {
    if (!this.#sink) {
      this.#queued.push(m);
      return;
    }
    if (m.close) this.#sink.close(m.code, m.reason, m.errorCode);
    else this.#sink.message(m.data);
  }

  /** From the app (socketSend): "" or why the message was refused. */
  send(data: unknown): string {
    if (this.#closedByApp) return "Can't call WebSocket send() after close().";
    const size =
      typeof data === "string" ? Buffer.byteLength(data) : data instanceof ArrayBuffer ? data.byteLength : -1;
    if (size < 0) return "a WebSocket message is a string or bytes";
    if (size > MAX_MESSAGE_BYTES)
      return `a WebSocket message is at most ${MAX_MESSAGE_BYTES} bytes (this one: ${size})`;
    if (this.#unsent + size > MAX_UNSENT_BYTES)
      return `the WebSocket's client is not reading: ${this.#unsent} bytes sent to it are still waiting`;
    const refused = this.#bridge.reserve(size);
    if (refused) return refused;
    this.#unsent += size;
    this.#out({ close: false, data: data as string | ArrayBuffer });
    return "";
  }

  /** From the app (socketClose). */
  close(code: unknown, reason: unknown): void {
    if (this.#closedByApp) return;
    const c = sendableCloseCode(code) ? code : 1000;
    const r = typeof reason === "string" && Buffer.byteLength(reason) <= MAX_REASON_BYTES ? reason : "";
    this.#closedByApp = true;
    this.#out({ close: true, code: c, reason: r });
    this.#bridge.settle(this);
  }

  /** Console output of one of this socket's entries. */
  log(record: LogRecord): void {
    if (this.#logChars + record.msg.length > MAX_LOG_CHARS) {
      this.#logsDropped++;
      return;
    }
    this.#logChars += record.msg.length;
    this.#logs.push(record);
  }

  /** The console output since the last take, with a note of what was dropped. */
  takeLogs(): LogRecord[] {
    const logs = this.#logs;
    if (this.#logsDropped > 0) {
      const msg = `[nano] ${this.#logsDropped} console record(s) of a WebSocket dropped: at most ${MAX_LOG_CHARS / 1024} KiB wait to be logged`;
      logs.push({ level: "warn", msg, time: Date.now() });
    }
    this.#logs = [];
    this.#logChars = 0;
    this.#logsDropped = 0;
    return logs;
  }

  /** `bytes` of what the app sent reached the client's connection. */
  written(bytes: number): void {
    const freed = Math.min(this.#unsent, Math.max(0, bytes));
    this.#unsent -= freed;
    this.#bridge.release(freed);
  }

  /** Forgotten by the bridge (its client is gone): what it still counted is freed. */
  forget(): void {
    this.written(this.#unsent);
  }

  /** From the client: one message, entered into the isolate; `done` with its CPU once that entry ran (or was dropped). */
  deliver(data: string | ArrayBuffer, done: (cpuMs: number) => void): void {
    if (this.#closedToApp) {
      done(0);
      return;
    }
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    if (!this.#bridge.reserveInbound(size)) {
      // The isolate is far behind on all its sockets' messages: this client is told to try later.
      done(0);
      const reason = "the app is not keeping up with its WebSocket messages";
      if (!this.#closedByApp) {
        this.#closedByApp = true;
        this.#out({ close: true, code: 1013, reason });
      }
      this.clientClosed(1013, reason, false);
      return;
    }
    this.#bridge.enter(
      "socketMessage",
      [this.id, data],
      (cpuMs) => {
        this.#bridge.releaseInbound(size);
        done(cpuMs);
      },
      this,
    );
  }

  /** The client's close frame (`clean`), or its connection was lost: the app hears `close` once. */
  clientClosed(code: number, reason: string, clean: boolean): void {
    if (this.#closedToApp) return;
    this.#closedToApp = true;
    // The client is gone: whatever the app still sends has nowhere to go.
    this.#closedByApp = true;
    this.#bridge.enter("socketClosed", [this.id, code, reason, clean], () => {}, this);
    this.#bridge.settle(this);
  }

  /** The isolate died: the client is told with `code` (1011 for a limit kill); the isolate hears nothing. */
  abort(code: number, reason: string, errorCode?: string): void {
    this.#closedToApp = true;
    if (!this.#closedByApp) {
      this.#closedByApp = true;
      this.#out({ close: true, code, reason: reason.slice(0, MAX_REASON_BYTES), ...(errorCode ? { errorCode } : {}) });
    }
    this.#bridge.settle(this);
  }
}

export interface WebSocketBridgeOptions {
  /** Runs an entry in the isolate as background work; `done` with its CPU once it ran (it may wait for the budget). */
  enter(name: EntryPointName, args: unknown[], done: (cpuMs: number) => void, socket: HostSocket): void;
  /** The last open socket closed (an isolate with open sockets is never evicted or retired under them). */
  onIdle?: () => void;
  /** Unsent bytes across all sockets, and inbound bytes waiting (default MAX_ISOLATE_UNSENT_BYTES each). */
  maxUnsentBytes?: number;
}

export class WebSocketBridge {
  readonly #sockets = new Map<number, HostSocket>();
  readonly #opts: WebSocketBridgeOptions;
  readonly #maxUnsent: number;
  #nextId = 1;
  #outbound = 0;
  /** Bytes the app sent on all its sockets that their clients have not been written yet. */
  #unsent = 0;
  /** Bytes of its clients' messages waiting for their entry (the background budget), bounded alike. */
  #inbound = 0;

  constructor(opts: WebSocketBridgeOptions) {
    this.#opts = opts;
    this.#maxUnsent = opts.maxUnsentBytes ?? MAX_ISOLATE_UNSENT_BYTES;
  }

  /** Counts `size` more unsent bytes: "" or why not (all sockets together are over the bound). */
  reserve(size: number): string {
    if (this.#unsent + size > this.#maxUnsent)
      return `the app's WebSocket clients are not reading: ${this.#unsent} bytes sent to them are still waiting (at most ${this.#maxUnsent} in all)`;
    this.#unsent += size;
    return "";
  }

  release(size: number): void {
    this.#unsent = Math.max(0, this.#unsent - size);
  }

  /** Counts `size` more bytes of client messages waiting for their entry; false past the bound. */
  reserveInbound(size: number): boolean {
    if (this.#inbound + size > this.#maxUnsent) return false;
    this.#inbound += size;
    return true;
  }

  releaseInbound(size: number): void {
    this.#inbound = Math.max(0, this.#inbound - size);
  }

  /** Bytes of client messages (all sockets) waiting for their entry into the isolate. */
  get inboundBytes(): number {
    return this.#inbound;
  }

  /** Bytes sent on all sockets that are not written to their clients yet. */
  get unsentBytes(): number {
    return this.#unsent;
  }

  /** Open sockets. */
  get size(): number {
    return this.#sockets.size;
  }

  /** Open outbound sockets (limits.websockets bounds them per isolate). */
  get outbound(): number {
    return this.#outbound;
  }

  open(outbound = false): HostSocket {
    const socket = new HostSocket(this.#nextId++, this, outbound);
    this.#sockets.set(socket.id, socket);
    if (outbound) this.#outbound++;
    return socket;
  }

  enter(name: EntryPointName, args: unknown[], done: (cpuMs: number) => void, socket: HostSocket): void {
    this.#opts.enter(name, args, done, socket);
  }

  /** Forgets a socket once both directions are closed. */
  settle(socket: HostSocket): void {
    if (socket.open || !this.#sockets.delete(socket.id)) return;
    socket.forget();
    if (socket.outbound) this.#outbound--;
    if (this.#sockets.size === 0) this.#opts.onIdle?.();
  }

  /** The bridge functions the isolate calls (ids it names are looked up, never trusted). */
  readonly functions = {
    socketSend: (id: unknown, data: unknown): string => {
      const socket = typeof id === "number" ? this.#sockets.get(id) : undefined;
      return socket ? socket.send(data) : "this WebSocket is closed";
    },
    socketClose: (id: unknown, code: unknown, reason: unknown): void => {
      const socket = typeof id === "number" ? this.#sockets.get(id) : undefined;
      socket?.close(code, reason);
    },
  };

  /** The isolate is gone: every client hears `code`. */
  abortAll(code: number, reason: string, errorCode?: string): void {
    for (const socket of [...this.#sockets.values()]) socket.abort(code, reason, errorCode);
    for (const socket of this.#sockets.values()) socket.forget();
    this.#sockets.clear();
    this.#outbound = 0;
  }
}
