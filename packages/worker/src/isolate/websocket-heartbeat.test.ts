/** The heartbeat against real `ws` peers: one that stops answering pings is cut, one that answers stays. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { WebSocketHeartbeat } from "./websocket-heartbeat.js";

describe("WebSocketHeartbeat", () => {
  it("terminates a peer that did not answer the last ping, and keeps one that does", async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    const heartbeat = new WebSocketHeartbeat(100);
    const closes: number[] = [];
    wss.on("connection", (ws) => {
      heartbeat.watch(ws);
      ws.on("close", (code) => closes.push(code));
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const open = (autoPong: boolean) =>
      new Promise<WebSocket>((resolve) => {
        const ws = new WebSocket(url, { autoPong });
        ws.on("open", () => resolve(ws));
      });
    const answering = await open(true);
    const silent = await open(false);
    const silentClosed = new Promise<number>((r) => silent.on("close", (code) => r(code)));
    expect(await silentClosed).toBe(1006); // cut without a close frame
    await new Promise((r) => setTimeout(r, 400));
    expect(closes).toEqual([1006]);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close();
    wss.close();
    await new Promise((r) => http.close(r));
  });
});
