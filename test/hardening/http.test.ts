/**
 * The ingress at the edges of HTTP/1.1, against a real `nano start` and raw sockets that send exact
 * bytes: oversized bodies, absolute-form targets, Host fields that are missing or repeated, a bad
 * request pipelined behind a good one, and an app that runs out of memory at its top level.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir, cli, type Server, startServer } from "../start-helpers.js";

let server: Server;
let port: number;

/** An app that answers what it saw: its name, the URL and the Host header. */
function echoApp(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nano-hard-${name}-`));
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ name }));
  writeFileSync(
    join(dir, "index.js"),
    `export default { async fetch(request) {
      const body = request.method === "POST" ? (await request.arrayBuffer()).byteLength : null;
      return Response.json({ app: ${JSON.stringify(name)}, url: request.url, host: request.headers.get("host"), body });
    } };\n`,
  );
  return dir;
}

async function deploy(dir: string): Promise<void> {
  const r = await cli(server, ["deploy", dir]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  server = await startServer(undefined, { args: ["--processes", "1"] });
  port = Number(new URL(server.url).port);
  await deploy(echoApp("hard-a"));
  await deploy(echoApp("hard-b"));
  await deploy(appDir({ name: "hard-h" }, "h"));
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The responses in a byte stream, in order (Content-Length or chunked bodies; the rest when neither). */
function parseResponses(data: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf("\r\n\r\n", at);
    if (end < 0) throw new Error(`a truncated response head: ${JSON.stringify(data.subarray(at).toString("latin1"))}`);
    const [statusLine, ...fields] = data.subarray(at, end).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine as string)?.[1]);
    const headers: Record<string, string> = {};
    for (const f of fields) {
      const i = f.indexOf(":");
      headers[f.slice(0, i).toLowerCase()] = f.slice(i + 1).trim();
    }
    at = end + 4;
    let body: Buffer;
    if (headers["content-length"] !== undefined) {
      const n = Number(headers["content-length"]);
      body = data.subarray(at, at + n);
      if (body.length < n) throw new Error(`a truncated body: ${body.length} of ${n} bytes`);
      at += n;
    } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = data.indexOf("\r\n", at);
        if (eol < 0) throw new Error("a truncated chunked body");
        const size = Number.parseInt(data.subarray(at, eol).toString("latin1"), 16);
        at = eol + 2;
        if (size === 0) {
          at = data.indexOf("\r\n", at) + 2;
          break;
        }
        parts.push(data.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = data.subarray(at);
      at = data.length;
    }
    out.push({ status, headers, body: body.toString("utf8") });
  }
  return out;
}

interface Exchange {
  responses: RawResponse[];
  /** How the connection ended: the server closed it, reset it, or it was still open at the deadline. */
  ended: "closed" | "reset" | "open";
}

/** Sends exact bytes in one write and reads until the server closes the connection. */
function exchange(bytes: string | Buffer, to = port, timeoutMs = 10_000): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(to, "127.0.0.1");
    const chunks: Buffer[] = [];
    let ended: Exchange["ended"] = "open";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(Buffer.concat(chunks)), ended });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", () => {
      ended = "reset";
    });
    socket.on("close", () => {
      if (ended === "open") ended = "closed";
      done();
    });
    socket.write(bytes);
  });
}

const json = (r: RawResponse | undefined) => JSON.parse(r?.body ?? "null");

describe("request bodies over 32 MiB", () => {
  it("answers 413 NANO_ERR_BODY_TOO_LARGE with Connection: close to a Content-Length over the limit, without its body", async () => {
    const r = await exchange(
      `POST /upload HTTP/1.1\r\nHost: hard-a.localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: ${40 * 1024 * 1024}\r\n\r\n`,
    );
    expect(r.responses).toHaveLength(1);
    expect(r.responses[0]?.status).toBe(413);
    expect(r.responses[0]?.headers.connection).toBe("close");
    expect(r.responses[0]?.headers["content-type"]).toBe("application/json");
    expect(json(r.responses[0]).error.code).toBe("NANO_ERR_BODY_TOO_LARGE");
    expect(r.ended).toBe("closed");
  });

  it("answers 413 to a chunked body once it grows past the limit, instead of resetting the connection", async () => {
    const socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let closed = false;
    let gotHead = false;
    const wake = new Set<() => void>();
    const notify = () => {
      for (const w of wake) w();
      wake.clear();
    };
    socket.on("data", (d) => {
      received.push(d);
      if (Buffer.concat(received).includes("\r\n\r\n")) gotHead = true;
      notify();
    });
    socket.on("error", () => notify());
    socket.on("close", () => {
      closed = true;
      notify();
    });
    socket.on("drain", notify);
    socket.write("POST /upload HTTP/1.1\r\nHost: hard-a.localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
    const mib = Buffer.alloc(1024 * 1024, 0x61);
    const frame = Buffer.concat([Buffer.from("100000\r\n"), mib, Buffer.from("\r\n")]);
    let sent = 0;
    // Up to 48 MiB, as fast as the server reads, until it answers.
    while (!gotHead && !closed && sent < 48) {
      if (!socket.write(frame)) await new Promise<void>((r) => wake.add(r));
      sent++;
    }
    expect(sent).toBeGreaterThan(32);
    await new Promise<void>((r) => {
      if (closed) return r();
      const t = setTimeout(r, 10_000);
      wake.add(() => {
        if (closed) {
          clearTimeout(t);
          r();
        }
      });
      socket.on("close", () => {
        clearTimeout(t);
        r();
      });
    });
    socket.destroy();
    const [res] = parseResponses(Buffer.concat(received));
    expect(res?.status).toBe(413);
    expect(res?.headers.connection).toBe("close");
    expect(json(res).error.code).toBe("NANO_ERR_BODY_TOO_LARGE");
    expect(closed).toBe(true);
  });

  it("still takes a body under the limit", async () => {
    const body = "x".repeat(100_000);
    const r = await exchange(
      `POST /upload HTTP/1.1\r\nHost: hard-a.localhost\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(r.responses[0]?.status).toBe(200);
    expect(json(r.responses[0])).toMatchObject({ app: "hard-a", body: 100_000 });
  });
});

describe("absolute-form request targets (RFC 9112 §3.2.2)", () => {
  it("route by the target's authority, which replaces Host for the app's URL and its Host header", async () => {
    const r = await exchange(
      "GET http://hard-a.localhost/x/y?q=1 HTTP/1.1\r\nHost: hard-b.localhost\r\nConnection: close\r\n\r\n",
    );
    expect(r.responses[0]?.status).toBe(200);
    expect(json(r.responses[0])).toEqual({
      app: "hard-a",
      url: "http://hard-a.localhost/x/y?q=1",
      host: "hard-a.localhost",
      body: null,
    });
  });

  it("take / as the path of a target without one, and keep the authority's port and, in Host, its case", async () => {
    const r = await exchange(
      `GET http://HARD-A.localhost:${port}?k=v HTTP/1.1\r\nHost: hard-b.localhost\r\nConnection: close\r\n\r\n`,
    );
    expect(r.responses[0]?.status).toBe(200);
    expect(json(r.responses[0])).toMatchObject({
      app: "hard-a",
      url: `http://hard-a.localhost:${port}/?k=v`,
      host: `HARD-A.localhost:${port}`,
    });
  });

  it("answer 400 NANO_ERR_BAD_REQUEST for userinfo in the target or a scheme other than http(s)", async () => {
    for (const target of ["http://user@hard-a.localhost/x", "ftp://hard-a.localhost/x"]) {
      const r = await exchange(`GET ${target} HTTP/1.1\r\nHost: hard-a.localhost\r\nConnection: close\r\n\r\n`);
      expect(r.responses[0]?.status, target).toBe(400);
      expect(json(r.responses[0]).error.code, target).toBe("NANO_ERR_BAD_REQUEST");
    }
  });
});

describe("Host header fields (RFC 9112 §3.2)", () => {
  it("answers 400 NANO_ERR_BAD_REQUEST to more than one Host field, whatever their case, and closes", async () => {
    for (const second of ["Host: hard-a.localhost", "host: hard-b.localhost", "HOST: hard-a.localhost"]) {
      const r = await exchange(`GET /headers HTTP/1.1\r\nHost: hard-b.localhost\r\n${second}\r\n\r\n`);
      expect(r.responses).toHaveLength(1);
      expect(r.responses[0]?.status, second).toBe(400);
      expect(r.responses[0]?.headers["content-type"]).toBe("application/json");
      expect(json(r.responses[0]).error.code).toBe("NANO_ERR_BAD_REQUEST");
      expect(r.ended).toBe("closed");
    }
  });

  it("answers 400 NANO_ERR_BAD_REQUEST in JSON to an HTTP/1.1 request without Host", async () => {
    const r = await exchange("GET /headers HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect(r.responses[0]?.status).toBe(400);
    expect(r.responses[0]?.headers["content-type"]).toBe("application/json");
    expect(json(r.responses[0]).error.code).toBe("NANO_ERR_BAD_REQUEST");
  });

  it("answers 400 NANO_ERR_BAD_REQUEST in JSON to a Host that is not a host", async () => {
    const r = await exchange("GET /headers HTTP/1.1\r\nHost: hard-a.localhost/x\r\nConnection: close\r\n\r\n");
    expect(r.responses[0]?.status).toBe(400);
    expect(json(r.responses[0]).error.code).toBe("NANO_ERR_BAD_REQUEST");
  });

  it("still serves one Host field, and the app sees it as sent", async () => {
    const r = await exchange("GET /headers HTTP/1.1\r\nHost: hard-h.localhost\r\nConnection: close\r\n\r\n");
    expect(r.responses[0]?.status).toBe(200);
    expect(json(r.responses[0]).host).toBe("hard-h.localhost");
  });
});

describe("a malformed request pipelined behind valid ones", () => {
  const valid = (path: string) => `GET ${path} HTTP/1.1\r\nHost: hard-a.localhost\r\n\r\n`;

  it("answers the valid request in full first, then 400 with Connection: close", async () => {
    const r = await exchange(`${valid("/first")}\x01\x02 not http at all\r\n\r\n`);
    expect(r.responses.map((x) => x.status)).toEqual([200, 400]);
    expect(json(r.responses[0])).toMatchObject({ app: "hard-a", url: "http://hard-a.localhost/first" });
    expect(r.responses[1]?.headers.connection).toBe("close");
    expect(json(r.responses[1]).error.code).toBe("NANO_ERR_BAD_REQUEST");
    expect(r.ended).toBe("closed");
  });

  it("answers several valid requests in order before the 400", async () => {
    const r = await exchange(`${valid("/1")}${valid("/2")}${valid("/3")}BAD\x7f REQUEST\r\n\r\n`);
    expect(r.responses.map((x) => x.status)).toEqual([200, 200, 200, 400]);
    expect(r.responses.slice(0, 3).map((x) => json(x).url)).toEqual([
      "http://hard-a.localhost/1",
      "http://hard-a.localhost/2",
      "http://hard-a.localhost/3",
    ]);
    expect(r.ended).toBe("closed");
  });

  it("answers a malformed request alone with 400 in JSON and closes", async () => {
    const r = await exchange("\x01\x02 not http at all\r\n\r\n");
    expect(r.responses.map((x) => x.status)).toEqual([400]);
    expect(json(r.responses[0]).error.code).toBe("NANO_ERR_BAD_REQUEST");
    expect(r.ended).toBe("closed");
  });

  it("answers 400 to a body whose chunked framing is broken", async () => {
    const r = await exchange(
      "POST /upload HTTP/1.1\r\nHost: hard-a.localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n",
    );
    expect(r.responses.map((x) => x.status)).toEqual([400]);
    expect(json(r.responses[0]).error.code).toBe("NANO_ERR_BAD_REQUEST");
    expect(r.ended).toBe("closed");
  });

  it("answers a valid request before a body whose chunked framing is broken, then 400", async () => {
    const r = await exchange(
      `${valid("/before")}POST /upload HTTP/1.1\r\nHost: hard-a.localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
    );
    expect(r.responses.map((x) => x.status)).toEqual([200, 400]);
    expect(json(r.responses[0]).url).toBe("http://hard-a.localhost/before");
    expect(json(r.responses[1]).error.code).toBe("NANO_ERR_BAD_REQUEST");
    expect(r.ended).toBe("closed");
  });

  it("keeps serving new connections afterwards", async () => {
    const r = await exchange(`GET /ok HTTP/1.1\r\nHost: hard-a.localhost\r\nConnection: close\r\n\r\n`);
    expect(r.responses.map((x) => x.status)).toEqual([200]);
  });
});

describe("the admin API, on the same socket handling", () => {
  it("answers a pipelined valid request, then 400 for the malformed one behind it", async () => {
    const admin = Number(new URL(server.adminUrl).port);
    const r = await exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\x01 garbage\r\n\r\n", admin);
    expect(r.responses.map((x) => x.status)).toEqual([200, 400]);
    expect(json(r.responses[1]).error.code).toBe("NANO_ERR_BAD_REQUEST");
    expect(r.ended).toBe("closed");
  });

  it("answers 400 in JSON to an HTTP/1.1 request without Host", async () => {
    const admin = Number(new URL(server.adminUrl).port);
    const r = await exchange("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", admin);
    expect(r.responses.map((x) => x.status)).toEqual([400]);
    expect(json(r.responses[0]).error.code).toBe("NANO_ERR_BAD_REQUEST");
  });
});

describe("an app that exhausts its memory at the top level", () => {
  it("fails its deploy check with 400 NANO_ERR_APP_LOAD, not 503 NANO_ERR_MEMORY_LIMIT", async () => {
    const bundle =
      "__nano_define(function (module) { const keep = []; for (;;) keep.push(new Array(1 << 20).fill(1.5)); });";
    const res = await fetch(`${server.adminUrl}/v1/apps/hard-oom/versions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ bundle, manifest: { limits: { memoryMb: 16 } } }),
    });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(400);
    expect(body.error.code).toBe("NANO_ERR_APP_LOAD");
    expect(body.error.message).toMatch(/exceeded its memory limit while starting/);
  });

  it("fails `nano deploy` with exit 1 and one line naming NANO_ERR_APP_LOAD", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nano-hard-oom-"));
    writeFileSync(join(dir, "nano.json"), JSON.stringify({ name: "hard-oom", limits: { memoryMb: 16 } }));
    writeFileSync(
      join(dir, "index.js"),
      "const keep = [];\nfor (;;) keep.push(new Array(1 << 20).fill(1.5));\nexport default { fetch() { return new Response('never'); } };\n",
    );
    const r = await cli(server, ["deploy", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nano: the app exceeded its memory limit while starting.*\[NANO_ERR_APP_LOAD\]\n$/);
  });
});
