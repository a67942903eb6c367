/**
 * A client that stops reading a streamed response: the app's stream is pulled only as fast as the
 * socket drains, so the host buffers a bounded amount, and the stream goes on when the client reads
 * again. Each chunk carries the time it was made, which is what the client observes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir, cli, type Server, startServer, tryGet } from "../start-helpers.js";

let server: Server;

const CHUNK = 64 * 1024;

// 1 GiB in 64 KiB chunks, each starting with "@@T=<ms since epoch>;" (the rest is filler).
const STREAMER = `
const enc = new TextEncoder();
export default { fetch() {
  let made = 0;
  const body = new ReadableStream({
    pull(c) {
      if (made >= 1024 * 1024 * 1024) return c.close();
      const chunk = new Uint8Array(${CHUNK}).fill(46);
      enc.encodeInto("@@T=" + Date.now() + ";", chunk);
      made += chunk.length;
      c.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  return new Response(body);
} };`;

async function deploy(name: string, source: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `nano-bp-${name}-`));
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ name }));
  writeFileSync(join(dir, "index.js"), source);
  const r = await cli(server, ["deploy", dir]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

async function runtimeRssMb(): Promise<number[]> {
  const res = await fetch(`${server.adminUrl}/v1/processes`, { headers: { authorization: `Bearer ${server.token}` } });
  const { processes } = (await res.json()) as { processes: { rss: number }[] };
  return processes.map((p) => p.rss / 1048576);
}

/** A raw client that keeps only the chunks' time stamps (a stamp may straddle two reads). */
function openStream(host: string): { socket: Socket; stamps: number[]; bytes: () => number } {
  const u = new URL(server.url);
  const socket = connect(Number(u.port), u.hostname);
  const stamps: number[] = [];
  let bytes = 0;
  let carry = "";
  socket.on("data", (d: Buffer) => {
    bytes += d.length;
    const text = carry + d.toString("latin1");
    const cut = text.lastIndexOf("@@T=");
    // An unfinished stamp at the end waits for the next read.
    const end = cut >= 0 && text.indexOf(";", cut) < 0 ? cut : text.length;
    for (const m of text.slice(0, end).matchAll(/@@T=(\d+);/g)) stamps.push(Number(m[1]));
    carry = text.slice(end);
  });
  socket.on("error", () => {});
  socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  return { socket, stamps, bytes: () => bytes };
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  server = await startServer(undefined, { args: ["--processes", "1"] });
  await deploy("streamer", STREAMER);
  await cli(server, ["deploy", appDir({ name: "bystander" }, "bystander")]);
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("a streamed response to a client that stops reading", () => {
  it("is produced only as fast as the client reads, resumes when it reads again, and stops when it leaves", async () => {
    const rssBefore = Math.max(...(await runtimeRssMb()));
    const client = openStream("streamer.localhost");
    await waitFor(() => client.bytes() >= 1024 * 1024, 20_000);
    client.socket.pause();
    const pausedAt = Date.now();
    // Long enough for an unbounded producer to make hundreds of MiB (it made 1 GiB in about 3 s).
    await new Promise((r) => setTimeout(r, 3_000));
    const during = Math.max(...(await runtimeRssMb()));
    expect(during - rssBefore).toBeLessThan(150);
    const seen = client.bytes();
    const resumedAt = Date.now();
    client.socket.resume();
    await waitFor(() => client.bytes() >= seen + 96 * 1024 * 1024, 40_000);
    // What was made while the client was not reading is bounded by the buffers on the way: the
    // kernel's socket buffers (here up to 32 MiB receiving, 4 MiB sending) and a chunk or two per
    // hop. Three seconds of unbounded production would be hundreds of MiB.
    const madeWhilePaused = client.stamps.filter((t) => t > pausedAt + 100 && t < resumedAt).length * CHUNK;
    expect(madeWhilePaused).toBeLessThan(48 * 1024 * 1024);
    // And production went on once the client read again.
    expect(client.stamps.filter((t) => t >= resumedAt).length * CHUNK).toBeGreaterThan(32 * 1024 * 1024);
    client.socket.destroy();
    expect(await tryGet(`${server.url}/`, "bystander.localhost")).toMatchObject({ status: 200 });
    // The stream was cancelled with the connection: memory does not climb afterwards.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(Math.max(...(await runtimeRssMb())) - rssBefore).toBeLessThan(150);
  }, 60_000);
});
