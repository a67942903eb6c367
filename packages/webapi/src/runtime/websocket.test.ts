/**
 * WebSocketPair, WebSocket, CloseEvent and the 101 Response, run from the runtime's sources under Node
 * (they use no Node APIs). The runtime's timers fire on Node's own; the host's socket functions are a
 * recorder, as the host sees them (the isolate tests and test/websocket.test.ts run the real host).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DOMException } from "./dom-exception.js";
import { Response } from "./response.js";
import { createTimers } from "./timers.js";
import {
  CloseEvent,
  checkWebSocketHandOff,
  handOffWebSocket,
  setWebSocketHost,
  socketClosed,
  socketMessage,
  WebSocket,
  WebSocketPair,
} from "./websocket.js";

const sent: [number, string | ArrayBuffer][] = [];
const closed: [number, number, string][] = [];

beforeAll(() => {
  const handles = new Map<number, NodeJS.Timeout>();
  const timers = createTimers({
    setTimer: (id, ms) =>
      handles.set(
        id,
        setTimeout(() => timers.fire(id), ms),
      ),
    clearTimer: (id) => clearTimeout(handles.get(id)),
  });
  setWebSocketHost({
    socketSend: (id, data) => {
      sent.push([id, data]);
      return "";
    },
    socketClose: (id, code, reason) => {
      closed.push([id, code, reason]);
    },
  });
});

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Events of `type` on `ws`, as they arrive. */
/** What an event of either kind shows (data, or code/reason/wasClean). */
type Seen = { data?: unknown; code?: number; reason?: string; wasClean?: boolean };

function record(ws: WebSocket, type: string): Seen[] {
  const out: Seen[] = [];
  ws.addEventListener(type, (e: unknown) => out.push(e as Seen));
  return out;
}

describe("WebSocketPair", () => {
  it("gives two open WebSockets, as { 0, 1 } and as an iterable [client, server]", () => {
    const pair = new WebSocketPair();
    const [client, server] = pair;
    expect(pair[0]).toBe(client);
    expect(pair[1]).toBe(server);
    expect(Object.values(pair)).toEqual([client, server]);
    expect(client).toBeInstanceOf(WebSocket);
    expect(server?.readyState).toBe(WebSocket.OPEN);
    expect([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED]).toEqual([0, 1, 2, 3]);
    expect((server as WebSocket).CLOSED).toBe(3);
  });

  it("cannot be had by `new WebSocket()`", () => {
    expect(() => new (WebSocket as unknown as new () => WebSocket)()).toThrow(TypeError);
  });
});

describe("WebSocket within the isolate", () => {
  it("refuses send() before accept(), then passes text and bytes in order (copied)", async () => {
    const [client, server] = new WebSocketPair();
    expect(() => server.send("x")).toThrow(/accept\(\)/);
    const got = record(client, "message");
    server.accept();
    const bytes = new Uint8Array([1, 2, 3, 4]);
    server.send("text");
    server.send(bytes.subarray(1, 3));
    server.send(bytes.buffer);
    bytes[1] = 99;
    await tick();
    expect(got).toEqual([]); // the client has not accepted: its messages wait
    client.accept();
    await tick();
    const data = got.map((e) => e.data);
    expect(data[0]).toBe("text");
    expect([...new Uint8Array(data[1] as ArrayBuffer)]).toEqual([2, 3]);
    expect([...new Uint8Array(data[2] as ArrayBuffer)]).toEqual([1, 2, 3, 4]);
  });

  it("closes both ends with the code and reason; send after close throws; close again does nothing", async () => {
    const [client, server] = new WebSocketPair();
    client.accept();
    server.accept();
    const clientCloses = record(client, "close");
    const serverCloses: CloseEvent[] = [];
    server.onclose = (e) => {
      serverCloses.push(e);
    };
    server.close(4001, "done");
    expect(server.readyState).toBe(WebSocket.CLOSING);
    expect(() => server.send("late")).toThrow(/after close/);
    server.close(4002, "again");
    await tick();
    const e = clientCloses[0] as CloseEvent;
    expect([e.code, e.reason, e.wasClean]).toEqual([4001, "done", true]);
    expect(client.readyState).toBe(WebSocket.CLOSED);
    // The client answered the close, as an endpoint does: the server hears it back.
    expect(serverCloses.map((c) => [c.code, c.reason])).toEqual([[4001, "done"]]);
    expect(server.readyState).toBe(WebSocket.CLOSED);
  });

  it("checks close codes and reasons as the WebSocket API does", () => {
    const [, server] = new WebSocketPair();
    server.accept();
    expect(() => server.close(1005)).toThrow(DOMException);
    expect(() => server.close(2999)).toThrow(/invalid WebSocket close code/);
    expect(() => server.close(1000, "é".repeat(62))).toThrow(/at most 123 bytes/);
    expect(() => server.close(1011, "ok")).not.toThrow();
  });

  it("has CloseEvent with its init members", () => {
    const e = new CloseEvent("close", { code: 1001, reason: "away", wasClean: true });
    expect([e.type, e.code, e.reason, e.wasClean]).toEqual(["close", 1001, "away", true]);
    expect(new CloseEvent("close").code).toBe(0);
  });
});

describe("Response with a webSocket", () => {
  it("takes status 101 only with a webSocket, and a webSocket only with 101", () => {
    const [client] = new WebSocketPair();
    const res = new Response(null, { status: 101, webSocket: client });
    expect(res.status).toBe(101);
    expect(res.webSocket).toBe(client);
    expect(new Response("x").webSocket).toBe(null);
    expect(() => new Response(null, { status: 101 })).toThrow(RangeError);
    expect(() => new Response(null, { status: 200, webSocket: client })).toThrow(RangeError);
    expect(() => new Response("body", { status: 101, webSocket: client })).toThrow(TypeError);
    expect(() => new Response(null, { status: 101, webSocket: {} as WebSocket })).toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
  });
});

describe("the host side of a handed-off socket", () => {
  it("takes only a fresh, unaccepted end", () => {
    const [client, server] = new WebSocketPair();
    server.accept();
    expect(() => checkWebSocketHandOff(server)).toThrow(/accepted/);
    expect(() => checkWebSocketHandOff(client)).not.toThrow();
    handOffWebSocket(client, 70);
    expect(() => checkWebSocketHandOff(client)).toThrow(/already given/);
    expect(() => client.accept()).toThrow(TypeError);
  });

  it("sends what the server sent before the response first, then talks to the host both ways", async () => {
    sent.length = 0;
    closed.length = 0;
    const [client, server] = new WebSocketPair();
    server.accept();
    server.send("early");
    const messages = record(server, "message");
    const closes = record(server, "close");
    const errors = record(server, "error");
    handOffWebSocket(client, 71);
    expect(sent).toEqual([[71, "early"]]);
    server.send("later");
    expect(sent[1]).toEqual([71, "later"]);
    socketMessage(71, "from client");
    socketMessage(72, "someone else's");
    socketMessage(71, { not: "a payload" });
    expect(messages.map((e) => e.data)).toEqual(["from client"]);
    socketClosed(71, 1006, "", false);
    expect(errors).toHaveLength(1);
    expect((closes[0] as Seen).code).toBe(1006);
    expect((closes[0] as Seen).wasClean).toBe(false);
    expect(server.readyState).toBe(WebSocket.CLOSED);
    server.close();
    expect(closed).toEqual([]);
  });

  it("closes the server end when the host refused the socket (id 0)", async () => {
    const [client, server] = new WebSocketPair();
    server.accept();
    const closes = record(server, "close");
    handOffWebSocket(client, 0);
    await tick();
    expect((closes[0] as Seen).code).toBe(1006);
  });

  it("sends the app's close to the host with code 1000 when none was given", () => {
    closed.length = 0;
    const [client, server] = new WebSocketPair();
    server.accept();
    handOffWebSocket(client, 73);
    server.close();
    expect(closed).toEqual([[73, 1000, ""]]);
  });
});
