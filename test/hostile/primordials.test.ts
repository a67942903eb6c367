/**
 * The runtime against an app that sabotages the built-ins it shares a realm with: at its top level the
 * app replaces every method it can reach on Array.prototype, Object and Object.prototype,
 * String.prototype, Promise and Promise.prototype, Map.prototype, Set.prototype, JSON (and the
 * iterators, RegExp.prototype and Function.prototype's call/apply/bind), each with a function that
 * throws or returns forged data: headers that would set the response's framing, names left in mixed
 * case, an empty iteration; and it puts `get` and `set` on Object.prototype, which makes any plain
 * object used as a property descriptor invalid. The runtime captured what it uses before any app code
 * ran (primordials),
 * so through a real `./nano serve` each request must still be answered exactly right, and nothing the
 * app forged may reach the client as framing.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNano, startServe } from "../helpers.js";

/**
 * The app's own toolkit, taken before it sabotages anything (afterwards it cannot use the built-ins
 * either), and the sabotage itself. `SPARE` lists members left alone.
 */
const prelude = (spare: string[]) => `
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const stringify = JSON.stringify;
const indexOf = uncurry(String.prototype.indexOf);
const slice = uncurry(String.prototype.slice);
const charCodeAt = uncurry(String.prototype.charCodeAt);
const { getOwnPropertyNames, getOwnPropertySymbols, getOwnPropertyDescriptor, defineProperty, getPrototypeOf } = Object;
const HEX = "0123456789abcdef";
/** ASCII only. */
function bytes(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = charCodeAt(s, i);
  return out;
}
function pathOf(url) {
  const start = indexOf(url, "/", indexOf(url, "//") + 2);
  const q = indexOf(url, "?", start);
  return q < 0 ? slice(url, start) : slice(url, start, q);
}
const CHUNKS = [bytes("chunk 1\\n"), bytes("chunk 2\\n"), bytes("chunk 3\\n")];
const DIGEST_INPUT = bytes("hash me");
/** An iterable the app can still make once the built-in iterators are gone (WebIDL sequences iterate). */
function iter(list) {
  return {
    [Symbol.iterator]() {
      let i = 0;
      return { next: () => (i < list.length ? { value: list[i++], done: false } : { value: undefined, done: true }) };
    },
  };
}
const SAMPLE = { list: [1, "two", { three: 3 }], when: new Date(0), nested: { ok: true } };
const LOGGED = { list: [1, "two"], map: new Map([["k", 1]]), set: new Set(["s"]) };

const SPARE = ${JSON.stringify(spare)};
const FORGED_LIST = ["Content-Length", "1", "Transfer-Encoding", "chunked", "X-Forged", "yes"];
const FORGED_BLOCK = "Content-Length\\n1\\nTransfer-Encoding\\nchunked\\nX-Forged\\nyes";
function same() {
  "use strict";
  return this;
}
/** What a sabotaged member does instead: forge where forging would show, else throw. */
const FORGERS = {
  "Array.prototype.flat": () => FORGED_LIST,
  "Array.prototype.flatMap": () => FORGED_LIST,
  "Array.prototype.map": () => FORGED_LIST,
  "Array.prototype.filter": () => FORGED_LIST,
  "Array.prototype.slice": () => FORGED_LIST,
  "Array.prototype.concat": () => FORGED_LIST,
  "Array.prototype.join": () => FORGED_BLOCK,
  "Array.prototype.push": () => 0,
  "Array.prototype.includes": () => true,
  "Array.prototype.indexOf": () => 0,
  "Array.prototype.some": () => true,
  "Array.prototype.every": () => true,
  "Array.prototype.find": () => "content-length",
  "Array.prototype.findIndex": () => 0,
  "Array.prototype.sort": same,
  "Array.prototype.forEach": () => undefined,
  "Array iterator.next": () => ({ done: true, value: undefined }),
  "String.prototype.toLowerCase": same,
  "String.prototype.toUpperCase": same,
  "String.prototype.trim": same,
  "String.prototype.trimEnd": same,
  "String.prototype.normalize": same,
  "String.prototype.toWellFormed": same,
  "String.prototype.split": () => FORGED_LIST,
  "String.prototype.replace": () => "Content-Length",
  "String.prototype.replaceAll": () => "Content-Length",
  "String.prototype.slice": () => "Content-Length",
  "String.prototype.includes": () => false,
  "String.prototype.indexOf": () => -1,
  "String.prototype.startsWith": () => true,
  "String.prototype.charCodeAt": () => 65,
  "String.prototype.Symbol(Symbol.split)": () => FORGED_LIST,
  "String.prototype.Symbol(Symbol.replace)": () => "Content-Length",
  "RegExp.prototype.test": () => true,
  "RegExp.prototype.exec": () => null,
  "Object.keys": () => ["Content-Length"],
  "Object.entries": () => [["Content-Length", "1"]],
  "Object.freeze": (o) => o,
  "Object.hasOwn": () => true,
  "Map.prototype.get": () => undefined,
  "Map.prototype.has": () => false,
  "Map.prototype.set": same,
  "Set.prototype.has": () => true,
  "Set.prototype.add": same,
  "JSON.stringify": () => '{"forged":true}',
  "JSON.parse": () => ({ forged: true }),
};
const TARGETS = [
  [Array.prototype, "Array.prototype"],
  [getPrototypeOf([][Symbol.iterator]()), "Array iterator"],
  [Object, "Object"],
  [Object.prototype, "Object.prototype"],
  [String.prototype, "String.prototype"],
  [getPrototypeOf(""[Symbol.iterator]()), "String iterator"],
  [RegExp.prototype, "RegExp.prototype"],
  [Promise, "Promise"],
  [Promise.prototype, "Promise.prototype"],
  [Map.prototype, "Map.prototype"],
  [getPrototypeOf(new Map()[Symbol.iterator]()), "Map iterator"],
  [Set.prototype, "Set.prototype"],
  [getPrototypeOf(new Set()[Symbol.iterator]()), "Set iterator"],
  [JSON, "JSON"],
  [Function.prototype, "Function.prototype"],
];
// Methods String.prototype lacks, which the built-ins would call if they were there.
String.prototype[Symbol.split] = () => FORGED_LIST;
String.prototype[Symbol.replace] = () => "Content-Length";
// Everything to replace is listed first: once replacing starts, the app's own array, string and
// object methods are gone too.
const spared = {};
for (let i = 0; i < SPARE.length; i++) spared[SPARE[i]] = true;
const plan = [];
for (let t = 0; t < TARGETS.length; t++) {
  const target = TARGETS[t][0];
  const names = getOwnPropertyNames(target);
  const symbols = getOwnPropertySymbols(target);
  for (let i = 0; i < names.length + symbols.length; i++) {
    const key = i < names.length ? names[i] : symbols[i - names.length];
    const name = TARGETS[t][1] + "." + String(key);
    const desc = getOwnPropertyDescriptor(target, key);
    if (key === "constructor" || typeof desc.value !== "function" || !desc.configurable || spared[name]) continue;
    plan[plan.length] = [target, key, name, desc.enumerable];
  }
}
let replaced = 0;
for (let i = 0; i < plan.length; i++) {
  const name = plan[i][2];
  const hostile =
    FORGERS[name] ??
    function () {
      throw new Error("the runtime called the app's " + name);
    };
  defineProperty(plan[i][0], plan[i][1], { value: hostile, writable: true, configurable: true, enumerable: plan[i][3] });
  replaced++;
}
// And accessors' keys on Object.prototype: a plain object literal used as a property descriptor (one
// the runtime made, say) now names both a value and a getter, which defineProperty refuses.
defineProperty(Object.prototype, "get", { __proto__: null, value: function () {}, writable: true, configurable: true });
defineProperty(Object.prototype, "set", { __proto__: null, value: function () {}, writable: true, configurable: true });
`;

/** The app: each route exercises one path through the runtime with everything sabotaged. */
const handler = `
export default {
  async fetch(request) {
    const path = pathOf(request.url);
    if (path === "/full") {
      const input = await request.json();
      const h = new Headers();
      h.append("Content-Type", "application/json; charset=utf-8");
      h.append("X-Echo", request.headers.get("x-test") ?? "none");
      h.append("X-Method", request.method);
      h.append("Set-Cookie", "a=1; Path=/");
      h.append("Set-Cookie", "b=2; HttpOnly");
      // Framing is not the app's to set: neither may reach the client as such.
      h.set("Content-Length", "1");
      h.append("Transfer-Encoding", "chunked");
      const body = stringify({ got: input, n: input.n + 1, text: input.s + "!" });
      return new Response(body, { status: 201, statusText: "Made It", headers: h });
    }
    if (path === "/sabotaged") return new Response("" + replaced);
    if (path === "/log") {
      console.log("logged %s", "here", LOGGED);
      return new Response("logged");
    }
    if (path === "/misc") {
      const out = {};
      out.clone = structuredClone(SAMPLE);
      out.base64 = atob(btoa("hello"));
      out.blob = await new Blob(iter(["ab", "cd"]), { type: "Text/Plain" }).text();
      const fd = new FormData();
      fd.append("a", "1");
      fd.append("f", new Blob(iter(["file body"])), "f.txt");
      const back = await new Response(fd).formData();
      out.form = back.get("a") + ":" + (await back.get("f").text()) + ":" + back.get("f").name;
      const encoded = new Response("a=1&b=%C3%A9+x", { headers: { "content-type": "application/x-www-form-urlencoded" } });
      out.urlencoded = (await encoded.formData()).get("b");
      const controller = new AbortController();
      let aborted = "no";
      controller.signal.addEventListener("abort", () => {
        aborted = "yes";
      });
      controller.abort("why");
      out.abort = aborted + ":" + controller.signal.reason;
      out.timer = await new Promise((resolve) => setTimeout(() => resolve("tick"), 5));
      out.microtask = await new Promise((resolve) => queueMicrotask(() => resolve("micro")));
      const target = new EventTarget();
      let detail = null;
      target.addEventListener("x", (e) => {
        detail = e.detail;
      });
      target.dispatchEvent(new CustomEvent("x", { detail: "d" }));
      out.event = detail;
      const channel = new MessageChannel();
      out.channel = await new Promise((resolve) => {
        channel.port2.onmessage = (e) => resolve(e.data);
        channel.port1.postMessage(SAMPLE);
      });
      out.uuid = crypto.randomUUID().length;
      out.random = crypto.getRandomValues(new Uint8Array(4)).length;
      const h = new Headers(iter([iter(["X-B", "2"]), iter(["X-A", "1"])]));
      let seen = "";
      h.forEach((v, k) => {
        seen += k + "=" + v + ";";
      });
      out.headers = seen;
      out.text = await new Response("héllo").text();
      out.json = (await new Response(stringify({ x: 1 })).json()).x;
      out.bytes = new Uint8Array(await new Response("abc").arrayBuffer()).length;
      const original = new Response("twice");
      out.responseClone = (await original.clone().text()) + (await original.text());
      const req = new Request("https://example.com/a?b", { method: "post", headers: { "X-A": "1" }, body: "zz" });
      out.request = req.method + " " + req.url + " " + req.headers.get("x-a") + " " + (await req.text());
      return new Response(stringify(out));
    }
    if (path === "/socket") {
      const pair = new WebSocketPair();
      const client = pair[0];
      const server = pair[1];
      server.accept();
      server.addEventListener("message", (e) => {
        if (e.data === "bye") server.close(4321, "sabotaged bye");
        else server.send(e.data);
      });
      return new Response(null, { status: 101, webSocket: client });
    }
    if (path === "/record") {
      // A record init: its names come from Object.keys, which the app replaced.
      return new Response("record", { headers: { "X-Mixed-Case": "kept", "Content-Length": "2" } });
    }
    if (path === "/stream") {
      let i = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (i < CHUNKS.length) controller.enqueue(CHUNKS[i++]);
          else controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/plain" } });
    }
    if (path === "/fetch") {
      const upstream = await fetch(request.headers.get("x-upstream"));
      const text = await upstream.text();
      return new Response(upstream.status + " " + text, {
        headers: { "x-upstream-type": upstream.headers.get("content-type") },
      });
    }
    // Awaited: an async function returning a promise would look up its \`then\`, which this app replaced.
    if (path === "/pass") return await fetch(request.headers.get("x-upstream"));
    if (path === "/digest") {
      const d = new Uint8Array(await crypto.subtle.digest("SHA-256", DIGEST_INPUT));
      let hex = "";
      for (let i = 0; i < d.length; i++) hex += HEX[d[i] >> 4] + HEX[d[i] & 15];
      return new Response(hex);
    }
    return new Response("no such route", { status: 404 });
  },
};
`;

function writeApp(name: string, spare: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), `nano-${name}-`));
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ name }));
  writeFileSync(join(dir, "index.js"), prelude(spare) + handler);
  return dir;
}

interface RawResponse {
  status: number;
  reason: string;
  /** [lower-case name, value] in the order they came. */
  headers: [string, string][];
  body: Buffer;
}

/**
 * One HTTP/1.1 exchange on a raw socket (Connection: close), read to the end: the head exactly as it
 * was written, and the body as its framing says (Content-Length, or chunked decoded).
 */
function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<RawResponse> {
  const url = new URL(base);
  const payload = Buffer.from(body);
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (method !== "GET") head += `Content-Length: ${payload.length}\r\n`;
  return new Promise((resolve, reject) => {
    // Written, not ended: the server closes the connection after its answer (Connection: close).
    const socket = connect(Number(url.port), url.hostname, () =>
      socket.write(Buffer.concat([Buffer.from(`${head}\r\n`), payload])),
    );
    const parts: Buffer[] = [];
    socket.on("data", (d) => parts.push(d));
    socket.on("error", reject);
    socket.on("end", () => {
      const all = Buffer.concat(parts);
      const split = all.indexOf("\r\n\r\n");
      const lines = all.subarray(0, split).toString("latin1").split("\r\n");
      const m = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(lines[0] as string);
      if (!m) return reject(new Error(`not an HTTP response: ${lines[0]}`));
      const fields = lines.slice(1).map((l) => {
        const colon = l.indexOf(":");
        return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()] as [string, string];
      });
      let rest = all.subarray(split + 4);
      const te = fields.find(([k]) => k === "transfer-encoding")?.[1];
      const cl = fields.find(([k]) => k === "content-length")?.[1];
      let payloadOut: Buffer;
      if (te === "chunked") {
        const chunks: Buffer[] = [];
        for (;;) {
          const eol = rest.indexOf("\r\n");
          const size = Number.parseInt(rest.subarray(0, eol).toString(), 16);
          if (size === 0) break;
          chunks.push(rest.subarray(eol + 2, eol + 2 + size));
          rest = rest.subarray(eol + 2 + size + 2);
        }
        payloadOut = Buffer.concat(chunks);
      } else if (cl !== undefined) {
        // Framing must be exact: the connection carries nothing after the declared length.
        expect(rest.length).toBe(Number(cl));
        payloadOut = rest;
      } else payloadOut = rest;
      resolve({ status: Number(m[1]), reason: m[2] as string, headers: fields, body: payloadOut });
    });
  });
}

const values = (r: RawResponse, name: string) => r.headers.filter(([k]) => k === name).map(([, v]) => v);

let upstream: Server;
let upstreamUrl = "";

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === "/data") {
      res.writeHead(200, { "content-type": "text/x-upstream" });
      res.write("from ");
      setTimeout(() => res.end("upstream"), 20);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/data`;
});
afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
});

/** The members web-streams-polyfill (vendored, not converted to primordials) looks up while it runs. */
const STREAMS_POLYFILL_NEEDS = [
  "Object.create",
  "Object.prototype.hasOwnProperty",
  "Array.prototype.push",
  "Function.prototype.call",
  "Function.prototype.apply",
];

/** The log line `needle` is in, waiting (at most 5 s) for it to be written. */
async function logLine(nano: RunningNano, needle: string): Promise<string | undefined> {
  for (let waited = 0; waited < 5_000; waited += 25) {
    const line = nano
      .output()
      .split("\n")
      .find((l) => l.includes(needle));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

describe("an app that sabotages every built-in it can reach (nano serve)", () => {
  let nano: RunningNano;
  beforeAll(async () => {
    nano = await startServe(writeApp("saboteur", []), ["--allow-private-fetch"]);
  });
  afterAll(async () => {
    await nano?.stop();
  });

  it("did sabotage them", async () => {
    const r = await raw(nano.url, "GET", "/sabotaged", {});
    expect(Number(r.body.toString())).toBeGreaterThan(150);
  });

  it("gets a full request right: status, headers (two Set-Cookie), JSON body; forged framing never reaches the client", async () => {
    const sent = JSON.stringify({ n: 41, s: "héllo" });
    const r = await raw(nano.url, "POST", "/full", { "Content-Type": "application/json", "X-Test": "hi there" }, sent);
    const expected = JSON.stringify({ got: { n: 41, s: "héllo" }, n: 42, text: "héllo!" });
    expect(r.status).toBe(201);
    expect(r.reason).toBe("Made It");
    expect(r.body.toString("utf8")).toBe(expected);
    expect(values(r, "content-type")).toEqual(["application/json; charset=utf-8"]);
    expect(values(r, "x-echo")).toEqual(["hi there"]);
    expect(values(r, "x-method")).toEqual(["POST"]);
    expect(values(r, "set-cookie")).toEqual(["a=1; Path=/", "b=2; HttpOnly"]);
    // The only framing is the server's own: one Content-Length, the body's true length (raw() also
    // checks that nothing follows it on the connection).
    expect(values(r, "content-length")).toEqual([String(Buffer.byteLength(expected))]);
    expect(values(r, "transfer-encoding")).toEqual([]);
    expect(values(r, "x-forged")).toEqual([]);
  });

  it("lower-cases a record init's names and keeps the body's framing", async () => {
    const r = await raw(nano.url, "GET", "/record", {});
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe("record");
    expect(values(r, "x-mixed-case")).toEqual(["kept"]);
    expect(values(r, "content-length")).toEqual(["6"]);
  });

  it("echoes on a WebSocket and closes with its code and reason", async () => {
    const { default: WebSocket } = await import("ws");
    const ws = new WebSocket(`${nano.url.replace("http", "ws")}/socket`);
    const got: string[] = [];
    const closed = new Promise<[number, string]>((resolve, reject) => {
      ws.on("message", (d, binary) => {
        got.push(binary ? `bytes ${[...(d as Buffer)]}` : String(d));
        if (got.length === 2) ws.send("bye");
      });
      ws.on("close", (code, reason) => resolve([code, String(reason)]));
      ws.on("error", reject);
    });
    ws.on("open", () => {
      ws.send("text");
      ws.send(Buffer.from([1, 2]));
    });
    expect(await closed).toEqual([4321, "sabotaged bye"]);
    expect(got).toEqual(["text", "bytes 1,2"]);
  });

  it("digests with crypto.subtle", async () => {
    const r = await raw(nano.url, "GET", "/digest", {});
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(createHash("sha256").update("hash me").digest("hex"));
  });

  it("keeps the rest of the platform working: clone, base64, Blob, FormData, abort, timers, events, messaging, crypto, bodies", async () => {
    const r = await raw(nano.url, "GET", "/misc", {});
    expect(r.status).toBe(200);
    const sample = { list: [1, "two", { three: 3 }], when: "1970-01-01T00:00:00.000Z", nested: { ok: true } };
    expect(JSON.parse(r.body.toString())).toEqual({
      clone: sample,
      base64: "hello",
      blob: "abcd",
      form: "1:file body:f.txt",
      urlencoded: "é x",
      abort: "yes:why",
      timer: "tick",
      microtask: "micro",
      event: "d",
      channel: sample,
      uuid: 36,
      random: 4,
      headers: "x-a=1;x-b=2;",
      text: "héllo",
      json: 1,
      bytes: 3,
      responseClone: "twicetwice",
      request: "POST https://example.com/a?b 1 zz",
    });
  });

  it("formats console output", async () => {
    expect((await raw(nano.url, "GET", "/log", {})).status).toBe(200);
    const line = await logLine(nano, "logged here");
    expect(JSON.parse(line as string).msg).toBe(
      "logged here { list: [ 1, 'two' ], map: Map(1) { 'k' => 1 }, set: Set(1) { 's' } }",
    );
  });

  // Streams are web-streams-polyfill's (vendored): it calls Object.create, Object.prototype.hasOwnProperty,
  // Array.prototype.push and Function.prototype.call/apply as it runs, so a stream made after they were
  // replaced does not work. The app's request then fails as an exception of its own, and nothing forged
  // reaches the client; the next describe shows the runtime streaming with everything else replaced.
  for (const path of ["/stream", "/fetch", "/pass"]) {
    it(`fails ${path} safely: a 500 naming the app's replaced built-in, no framing of the app's`, async () => {
      const r = await raw(nano.url, "GET", path, { "X-Upstream": upstreamUrl });
      expect(r.status).toBe(500);
      const error = (JSON.parse(r.body.toString()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("NANO_ERR_APP_EXCEPTION");
      expect(error.message).toContain("the runtime called the app's Object.create");
      expect(values(r, "content-length")).toEqual([String(r.body.length)]);
      expect(values(r, "transfer-encoding")).toEqual([]);
    });
  }
});

describe("an app that sabotages everything but what web-streams-polyfill calls (nano serve)", () => {
  let nano: RunningNano;
  beforeAll(async () => {
    nano = await startServe(writeApp("streams-saboteur", STREAMS_POLYFILL_NEEDS), ["--allow-private-fetch"]);
  });
  afterAll(async () => {
    await nano?.stop();
  });

  it("streams a ReadableStream body chunk by chunk", async () => {
    const r = await raw(nano.url, "GET", "/stream", {});
    expect(r.status).toBe(200);
    expect(values(r, "content-type")).toEqual(["text/plain"]);
    expect(values(r, "transfer-encoding")).toEqual(["chunked"]);
    expect(r.body.toString()).toBe("chunk 1\nchunk 2\nchunk 3\n");
  });

  it("fetches from a local server and returns what it read", async () => {
    const r = await raw(nano.url, "GET", "/fetch", { "X-Upstream": upstreamUrl });
    expect(r.status).toBe(200);
    expect(values(r, "x-upstream-type")).toEqual(["text/x-upstream"]);
    expect(r.body.toString()).toBe("200 from upstream");
  });

  it("passes an upstream response through, streamed", async () => {
    const r = await raw(nano.url, "GET", "/pass", { "X-Upstream": upstreamUrl });
    expect(r.status).toBe(200);
    expect(values(r, "content-type")).toEqual(["text/x-upstream"]);
    expect(r.body.toString()).toBe("from upstream");
  });

  it("still gets a full request right", async () => {
    const sent = JSON.stringify({ n: 1, s: "x" });
    const r = await raw(nano.url, "POST", "/full", { "Content-Type": "application/json", "X-Test": "t" }, sent);
    expect(r.status).toBe(201);
    expect(r.body.toString()).toBe(JSON.stringify({ got: { n: 1, s: "x" }, n: 2, text: "x!" }));
    expect(values(r, "set-cookie")).toEqual(["a=1; Path=/", "b=2; HttpOnly"]);
    expect(values(r, "transfer-encoding")).toEqual([]);
  });
});
