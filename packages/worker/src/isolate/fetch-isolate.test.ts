/**
 * Outbound fetch through a real isolate and a loopback upstream: the entries a fetch causes are
 * charged to the request that made it (its logs, its CPU budget), an unread body pauses the upstream,
 * and disposing the isolate closes its connections.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RequestWire } from "../contract.js";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "./snapshot.js";

const snapshot = loadRuntimeSnapshot();
const live: RuntimeIsolate[] = [];
afterEach(() => {
  for (const i of live.splice(0)) i.dispose();
});
const isolate = () => {
  const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64, outbound: { allowPrivate: true } });
  live.push(iso);
  return iso;
};
const app = (body: string) => `__nano_define(function (module) { module.exports = { default: { ${body} } }; });`;
const req: RequestWire = { requestId: "r", method: "GET", url: "http://app.test/", headers: [], body: null };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let base = "";
const open = new Set<ServerResponse>();
/** Bytes /flood wrote before the socket pushed back, and whether it did. */
const flood = { written: 0, blocked: false };
const server = createServer((req, res) => {
  open.add(res);
  res.on("close", () => open.delete(res));
  if (req.url === "/hang") return void res.write("head and one chunk");
  if (req.url === "/flood") {
    const chunk = Buffer.alloc(64 * 1024, 120);
    const write = () => {
      while (flood.written < 64 * 1024 * 1024) {
        flood.written += chunk.length;
        if (!res.write(chunk)) {
          flood.blocked = true;
          return void res.once("drain", write);
        }
      }
      res.end();
    };
    return write();
  }
  res.end("upstream says hi");
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("fetch inside a RuntimeIsolate", () => {
  it("attributes console output after an awaited fetch to the request that fetched", async () => {
    const iso = isolate();
    iso.loadApp(
      app(`async fetch() {
        const text = await (await fetch("${base}/")).text();
        console.log("got", text);
        return new Response(text);
      }`),
      { filename: "app" },
    );
    const out = await iso.fetch(req, { cpuMs: 500, wallMs: 5_000 });
    expect(Buffer.from(out.response.body as ArrayBuffer).toString()).toBe("upstream says hi");
    expect(out.logs.map((l) => l.msg)).toEqual(["got upstream says hi"]);
  });

  it("charges work after a fetch to the request's CPU budget", async () => {
    const iso = isolate();
    iso.loadApp(
      app(`async fetch() {
        await fetch("${base}/");
        const end = Date.now() + 300; // over the request's 50 ms, under the 1 s of unowned entries
        while (Date.now() < end) {}
        return new Response("unreachable");
      }`),
      { filename: "app" },
    );
    await expect(iso.fetch(req, { cpuMs: 50, wallMs: 5_000 })).rejects.toMatchObject({ code: "NANO_ERR_CPU_LIMIT" });
    expect(iso.alive).toBe(false);
  });

  it("pauses an unread body (the upstream is pushed back), then delivers all of it when read", async () => {
    const iso = isolate();
    await iso.evaluate(`fetch("${base}/flood").then((r) => { globalThis.flooded = r; })`);
    await sleep(300);
    expect(flood.blocked).toBe(true);
    const paused = flood.written;
    await sleep(200);
    expect(flood.written).toBe(paused);
    // Socket buffers, undici's queue and the isolate's 64 KiB read-ahead: a few MiB at most.
    expect(paused).toBeLessThan(16 * 1024 * 1024);
    const read = await iso.evaluate(
      `(async () => { let n = 0; for await (const c of flooded.body) n += c.byteLength; return n; })()`,
      30_000,
    );
    expect(read.text).toBe(String(64 * 1024 * 1024));
  });

  it("aborts the isolate's host fetches when it is disposed", async () => {
    const iso = isolate();
    await iso.evaluate(`fetch("${base}/hang").then((r) => { globalThis.hanging = r; })`);
    await sleep(100);
    expect(open.size).toBe(1);
    iso.dispose();
    await sleep(100);
    expect(open.size).toBe(0);
  });
});
