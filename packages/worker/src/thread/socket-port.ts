/**
 * Connects an isolate's WebSocket (HostSocket) to a port the runtime process holds the client end of
 * (SocketMessage in the contract). Client messages enter the isolate in order; the acknowledgements
 * of those that have entered go back together once per turn, so the runtime process reads the client
 * only as fast as the isolate takes its messages.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { SocketMessage } from "../contract.js";
import type { HostSocket } from "../isolate/websocket-bridge.js";

/** The port to hand to the runtime process (transfer it). */
export function socketPort(socket: HostSocket): MessagePort {
  const { port1, port2 } = new MessageChannel();
  let acked = 0;
  let cpuMs = 0;
  let armed = false;
  let clientClosed = false;
  const ack = (used: number) => {
    acked++;
    cpuMs += used;
    if (armed) return;
    armed = true;
    setImmediate(() => {
      armed = false;
      const n = acked;
      const ms = cpuMs;
      acked = 0;
      cpuMs = 0;
      if (clientClosed) return;
      flushLogs();
      if (n > 0) port1.postMessage(["a", n, ms] satisfies SocketMessage);
    });
  };
  const flushLogs = () => {
    const logs = socket.takeLogs();
    if (logs.length > 0) port1.postMessage(["l", logs] satisfies SocketMessage);
  };
  port1.on("message", (message: SocketMessage) => {
    if (!Array.isArray(message)) return;
    if (message[0] === "m") socket.deliver(message[1], ack);
    else if (message[0] === "w") socket.written(message[1]);
    else if (message[0] === "c") {
      clientClosed = true;
      socket.clientClosed(message[1], message[2], message[3] === true);
      // What the app logged on its way out (its close handler) goes before the port closes.
      flushLogs();
      // The connection is gone both ways now (an app's close is answered by the client's).
      port1.close();
    }
  });
  // The runtime process let go of the connection without a word (it died, or dropped the port).
  port1.once("close", () => {
    if (!clientClosed) socket.clientClosed(1006, "", false);
    clientClosed = true;
  });
  socket.attach({
    message(data) {
      if (data instanceof ArrayBuffer) port1.postMessage(["m", data] satisfies SocketMessage, [data]);
      else port1.postMessage(["m", data] satisfies SocketMessage);
    },
    close(code, reason, errorCode) {
      flushLogs();
      port1.postMessage((errorCode ? ["k", code, reason, errorCode] : ["c", code, reason]) satisfies SocketMessage);
    },
  });
  return port2;
}
